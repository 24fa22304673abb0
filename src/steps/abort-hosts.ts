import { ConfigurationError } from '../errors.ts';
import type { RollingSettings, TargetSettings } from '../model/release.ts';
import { revertPausedHosts } from '../release/canary-hosts.ts';
import { nothingPaused } from '../release/plan-release.ts';
import { type ReleaseDeps, withEnvironmentLock } from '../release/release-deps.ts';
import { abortPaused, awaitingPromotion, liveView, recordHost } from '../release/release-state.ts';

export interface AbortOutcome {
  readonly result: 'aborted';
  readonly version: string;
  readonly slot: string;
  /** stop-command stopped the slot. */
  readonly stopped: boolean;
  readonly message: string;
}

/**
 * `abort` of a canary across hosts paused at a `pause: {}`: its hosts go back to the version
 * users reached before, in batches, each verified before it rejoins, each change recorded as it
 * happens; then the paused release is recorded aborted.
 */
export async function abortHostCanary(
  settings: TargetSettings,
  strategy: RollingSettings,
  deps: ReleaseDeps,
): Promise<AbortOutcome> {
  return withEnvironmentLock(settings, { kind: 'abort' }, deps, async (locked) => {
    let state = await locked.session.read();
    const paused = awaitingPromotion(state);
    if (!paused) throw new ConfigurationError('environment', nothingPaused(state));
    const previous = liveView(state).version;
    if (!previous)
      throw new Error(`nothing was live before ${paused.version}: there is no version to go back to`);
    const now = () => new Date(deps.clock.now()).toISOString();
    const back = await revertPausedHosts(
      settings,
      strategy,
      locked,
      { state, version: paused.version, previous },
      async (name, change) => {
        state = recordHost(state, name, change, now());
        await locked.session.write(state);
      },
      deps.signal ?? new AbortController().signal,
    );
    const by = deps.run.actor ? ` by ${deps.run.actor}` : '';
    const left = back.left.length > 0 ? `; ${back.left.join(', ')} not reverted: see the log` : '';
    await locked.session.write(
      abortPaused(state, paused, {
        reason: `aborted at its pause${by}: ${back.reverted}${left}`,
        at: now(),
        stopped: false,
      }),
    );
    return {
      result: 'aborted',
      version: paused.version,
      slot: '',
      stopped: false,
      message: `Aborted the canary ${paused.version} on ${settings.environment}: ${back.reverted}${left}.`,
    };
  });
}
