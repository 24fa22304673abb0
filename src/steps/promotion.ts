import { withoutOutput } from '../deploy/driver.ts';
import { formatDuration } from '../durations.ts';
import { ConfigurationError } from '../errors.ts';
import type { TargetSettings } from '../model/release.ts';
import { backToStable } from '../release/canary-restore.ts';
import { nothingPaused, planPromote } from '../release/plan-release.ts';
import {
  type ReleaseDeps,
  recordFinish,
  type SessionDeps,
  withEnvironmentLock,
} from '../release/release-deps.ts';
import { abortPaused, awaitingPromotion } from '../release/release-state.ts';
import { evidenceOf, type ReleaseEvidence, runRelease } from '../release/run-release.ts';
import { releaseWithScaleDown } from '../release/scale-down.ts';
import { withSlotRunner } from '../release/slot-runner.ts';
import { stopSlot } from '../release/stop-slot.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { type AbortOutcome, abortHostCanary } from './abort-hosts.ts';

/**
 * The release controls of promotion: manual (Argo Rollouts' promote and abort). A deploy paused
 * once its version was verified on its slot; `promote` switches traffic to it and verifies what
 * users reach, `abort` stops its slot. Each takes the environment's lock for its moment only.
 */

export interface PromoteOutcome extends ReleaseEvidence {
  readonly result: 'promoted' | 'failed';
  readonly version: string;
  readonly previous?: string;
  readonly message: string;
}

/** Promotes the release paused on its slot: checked there again, switched to, verified, recorded. */
export async function runPromote(settings: TargetSettings, deps: ReleaseDeps): Promise<PromoteOutcome> {
  // A canary across hosts goes on from its pause too; anything else needs slots.
  if (settings.strategy.kind !== 'rolling') requireBlueGreen(settings, 'promote');
  const started = deps.clock.now();
  let outcome: PromoteOutcome | undefined;
  try {
    outcome = await releaseWithScaleDown(
      settings,
      { kind: 'promote' },
      deps,
      (locked) => promoteLocked(settings, locked, started),
      (promoted) => promoted.result === 'promoted',
    );
    return outcome;
  } finally {
    await recordFinish(
      deps,
      settings,
      {
        action: 'promote',
        version: outcome?.version || null,
        from: outcome?.previous ?? null,
        result: outcome?.result ?? (deps.signal?.aborted ? 'interrupted' : 'error'),
        durationMs: Math.round(deps.clock.now() - started),
        attempts: 0,
      },
      outcome?.verification,
    );
  }
}

async function promoteLocked(
  settings: TargetSettings,
  deps: SessionDeps,
  started: number,
): Promise<PromoteOutcome> {
  const { environment } = settings;
  const release = await runRelease({ kind: 'promote', target: settings, plan: planPromote }, deps);
  const { version, from } = release;
  const base = { version, ...(from ? { previous: from } : {}), ...evidenceOf(release) };
  const unrecorded = release.unrecorded ? ` It could not be recorded (${release.unrecorded}).` : '';
  if (release.result === 'released')
    return {
      ...base,
      result: 'promoted',
      message: `Promoted ${version} on ${environment} in ${formatDuration(deps.clock.now() - started)}: users reach it ${release.facts.slot ? `on slot ${release.facts.slot}` : 'on every host'}; ${release.verification?.reason ?? 'verified'}.${unrecorded}`,
    };
  const left =
    release.production === 'reverted'
      ? `The canary's share of users is back on ${from ?? 'the stable slot'}.`
      : release.production === 'untouched' || release.production === 'rejected'
        ? `Users still reach ${from ?? 'what they reached before'}: nothing was switched.`
        : `${version} is live but not verified: roll back${from ? ` to ${from}` : ''} with the rollback action.`;
  return {
    ...base,
    result: 'failed',
    message: `Promoting ${version} on ${environment} failed: ${withoutOutput(release.reason ?? '')}. ${left}${unrecorded}`,
  };
}

/**
 * Aborts the release paused on its slot: its slot is stopped (stop-command) and the release is
 * recorded aborted; users never reached it. Refused when the proxy sends users to that slot.
 */
export async function runAbort(settings: TargetSettings, deps: ReleaseDeps): Promise<AbortOutcome> {
  if (settings.strategy.kind === 'rolling') return abortHostCanary(settings, settings.strategy, deps);
  const strategy = requireBlueGreen(settings, 'abort');
  return withEnvironmentLock(settings, { kind: 'abort' }, deps, async (locked) => {
    const state = await locked.session.read();
    const paused = awaitingPromotion(state);
    if (!paused) throw new ConfigurationError('environment', nothingPaused(state));
    const slot = strategy.slots.find((s) => s.name === paused.slot);
    if (!slot)
      throw new ConfigurationError(
        'slots',
        `${paused.version} waits on slot ${paused.slot}, which slots does not name`,
      );
    const traffic = trafficSwitchFor(strategy, settings.environment, locked);
    const serving = await traffic.live();
    // A canary paused with a share of the traffic: that share goes back to stable first.
    const canaryShare = paused.canary && serving.includes(slot.name) ? paused.canary.weight : undefined;
    if (canaryShare !== undefined) {
      const stable = strategy.slots.find((s) => s !== slot)!;
      const signal = AbortSignal.any([
        ...(deps.signal ? [deps.signal] : []),
        AbortSignal.timeout(strategy.drainTimeoutMs + 30_000),
      ]);
      await backToStable({ traffic, slots: strategy.slots, logger: deps.logger }, state, signal, {
        canary: slot,
        stable,
      });
    } else if (serving.includes(slot.name))
      throw new Error(
        `${traffic.name} sends traffic to slot ${slot.name}, where ${paused.version} waits for promotion: stopping it would cut users off, so nothing was changed (see ${traffic.readCommand})`,
      );
    const what = { version: paused.version, environment: settings.environment, slot };
    const stopped = strategy.scaleDown
      ? await withSlotRunner(settings, locked, slot.name, (runner) =>
          stopSlot(strategy.scaleDown!.stop, what, { ...locked, runner }, settings.retry.attemptTimeoutMs),
        )
      : false;
    const by = deps.run.actor ? ` by ${deps.run.actor}` : '';
    const at = new Date(deps.clock.now()).toISOString();
    await locked.session.write(
      abortPaused(state, paused, { reason: `aborted before promotion${by}`, at, stopped }),
    );
    const still = strategy.scaleDown
      ? stopped
        ? 'its slot was stopped'
        : `its slot could not be stopped and may still run ${paused.version} (see the log)`
      : `its slot keeps running ${paused.version} (no stop-command)`;
    return {
      result: 'aborted',
      version: paused.version,
      slot: slot.name,
      stopped,
      message:
        canaryShare === undefined
          ? `Aborted ${paused.version} on ${settings.environment} before promotion: no user reached it, ${still}.`
          : `Aborted the canary ${paused.version} on ${settings.environment}: its ${canaryShare} % of the traffic is back on the stable slot, ${still}.`,
    };
  });
}

/** The target's blue-green (or canary on slots) strategy; parsePromotionSettings refused any other. */
function requireBlueGreen(settings: TargetSettings, control: 'promote' | 'abort') {
  if (settings.strategy.kind !== 'blue-green')
    throw new Error(
      `${control} needs slots (strategy: blue-green or canary), and ${settings.environment} has none`,
    );
  return settings.strategy;
}
