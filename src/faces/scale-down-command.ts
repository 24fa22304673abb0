import { ConfigurationError } from '../errors.ts';
import type { Host } from '../host.ts';
import { withEnvironmentLock } from '../release/release-deps.ts';
import { stopDueSlot } from '../release/scale-down.ts';
import { withTextPatterns } from '../schema/text-pattern.ts';
import { parseRollbackSettings } from '../settings/deploy.ts';
import type { RawInputs } from '../settings/input-spec.ts';
import { releaseDeps } from '../wiring.ts';

/**
 * `deploy-actions scale-down` (from a scheduled workflow, or by hand): under the environment's
 * lock, for a moment only, stops the old blue-green slot if its scale-down-delay has passed since
 * the release that replaced it was verified. The same inputs as a rollback, read the same way.
 */
export async function runScaleDownCommand(raw: RawInputs, host: Host) {
  const settings = await withTextPatterns(() => parseRollbackSettings(raw, host.readFile));
  if (settings.strategy.kind !== 'blue-green' || !settings.strategy.scaleDown)
    throw new ConfigurationError(
      'stop-command',
      'scale-down stops the old slot of a blue-green environment with stop-command: give strategy: blue-green and stop-command',
    );
  // A turn in GitHub Deployments is a deployment of its own: the next release stops the slot there.
  if (settings.backend.kind === 'github')
    throw new ConfigurationError(
      'backend',
      'scale-down works with backend: file; with backend: github the next release stops the old slot',
    );
  const deps = await releaseDeps(host, settings);
  const pending = await withEnvironmentLock(settings, { kind: 'scale-down' }, deps, (locked) =>
    stopDueSlot(settings, locked),
  );
  const message = pending
    ? `Slot ${pending.slot} (${pending.release.version}) stays warm until ${new Date(pending.dueAt).toISOString()}: not stopped yet`
    : `No old slot runs past its scale-down-delay in ${settings.environment}`;
  return {
    message,
    ...(pending ? { warmUntil: new Date(pending.dueAt).toISOString(), slot: pending.slot } : {}),
  };
}
