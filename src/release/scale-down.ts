import { formatDuration } from '../durations.ts';
import { describeError } from '../errors.ts';
import type { TargetSettings } from '../model/release.ts';
import type { EnvironmentState, ReleaseRecord, TurnPlan } from '../ports.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { type ReleaseDeps, type SessionDeps, withEnvironmentLock } from './release-deps.ts';
import { markStopped, slotContents } from './release-state.ts';
import { withSlotRunner } from './slot-runner.ts';
import { stopSlot } from './stop-slot.ts';

/** A scale-down-delay this short is served in the same run (outside the lock); a longer one is not. */
const SERVED_IN_RUN_MS = 10_000;

/** The old slot of a blue-green environment, and from when it may be stopped. */
export interface ScaleDown {
  readonly slot: string;
  readonly release: ReleaseRecord;
  /** Epoch ms: scale-down-delay after the release that replaced it was verified. */
  readonly dueAt: number;
}

/**
 * The slot users no longer reach that still runs a release, due `delayMs` after the release
 * users reach was verified; none while that release is not verified good (the old slot is the
 * way back), when nothing runs there, or when a release waits there for promotion. Pure over
 * the record and the proxy's live slot.
 */
export function scaleDownOf(
  state: EnvironmentState,
  liveSlot: string | undefined,
  delayMs: number,
): ScaleDown | undefined {
  const contents = slotContents(state);
  const live = liveSlot ? contents.get(liveSlot) : undefined;
  if (live?.status !== 'good' || live.version !== state.current || !live.finishedAt) return undefined;
  // A release waiting for promotion there is not old: only promote or abort ends it.
  const old = [...contents].find(
    ([slot, release]) => slot !== liveSlot && !release.stopped && release.status !== 'paused',
  );
  if (!old) return undefined;
  return { slot: old[0], release: old[1], dueAt: Date.parse(live.finishedAt) + delayMs };
}

type BlueGreenTarget = TargetSettings & {
  readonly strategy: Extract<TargetSettings['strategy'], { kind: 'blue-green' }>;
};

const withScaleDown = (target: TargetSettings): target is BlueGreenTarget =>
  target.strategy.kind === 'blue-green' && target.strategy.scaleDown !== undefined;

/**
 * Under the lock: stops the old slot with stop-command if its scale-down is due (the next
 * release does this first, and `deploy-actions scale-down`), and records it stopped (a rollback
 * then deploys into it again). Returns the scale-down still to come, if any. A failure warns.
 */
async function stopOldSlotIfDue(target: TargetSettings, deps: SessionDeps): Promise<ScaleDown | undefined> {
  if (!withScaleDown(target)) return undefined;
  const { strategy } = target;
  const traffic = trafficSwitchFor(strategy, target.environment, deps);
  const [live, ...others] = await traffic.live();
  if (others.length > 0) return undefined; // the proxy says more than one slot: touch nothing
  const due = scaleDownOf(await deps.session.read(), live, strategy.scaleDown!.delayMs);
  if (!due || due.dueAt > deps.clock.now()) return due;
  const slot = strategy.slots.find((s) => s.name === due.slot);
  if (!slot) return undefined;
  const what = { version: due.release.version, environment: target.environment, slot };
  const stopped = await withSlotRunner(target, deps, slot.name, (runner) =>
    stopSlot(strategy.scaleDown!.stop, what, { ...deps, runner }, target.retry.attemptTimeoutMs),
  );
  if (!stopped) return undefined;
  await deps.session.write(markStopped(await deps.session.read(), slot.name));
  deps.logger.info(
    `Stopped slot ${slot.name} (${due.release.version}), scale-down-delay after it was replaced`,
  );
  return undefined;
}

/** stopOldSlotIfDue, whose failure only warns: the release around it stands. */
export function stopDueSlot(target: TargetSettings, deps: SessionDeps): Promise<ScaleDown | undefined> {
  return stopOldSlotIfDue(target, deps).catch((error: unknown) => {
    deps.logger.warning(`the old slot was not stopped: ${describeError(error)}`);
    return undefined;
  });
}

/**
 * After a verified release, outside its lock: a short scale-down-delay is waited out in this
 * run, then the old slot is stopped under the lock, taken again for that moment only; a longer
 * one is left to the next release or `deploy-actions scale-down`, and said so. Never holds the
 * environment while it waits.
 */
export async function scaleDownAfter(
  target: TargetSettings,
  deps: ReleaseDeps,
  due: ScaleDown | undefined,
): Promise<void> {
  if (!withScaleDown(target) || !due) return;
  const waitMs = Math.max(0, due.dueAt - deps.clock.now());
  const at = new Date(due.dueAt).toISOString();
  if (waitMs > SERVED_IN_RUN_MS) {
    deps.logger.info(
      `Slot ${due.slot} (${due.release.version}) stays warm until ${at} (scale-down-delay ${formatDuration(target.strategy.scaleDown!.delayMs)}): the next release, or \`deploy-actions scale-down\`, stops it then`,
    );
    return;
  }
  deps.logger.info(
    `Slot ${due.slot} (${due.release.version}) stays warm until ${at}, then stop-command stops it`,
  );
  try {
    await deps.clock.sleep(waitMs, deps.signal);
    await withEnvironmentLock(target, { kind: 'scale-down' }, deps, (locked) => stopDueSlot(target, locked));
  } catch (error) {
    deps.logger.warning(`the old slot was not stopped: ${describeError(error)}`);
  }
}

/**
 * A release under the environment's lock, with the old slot's scale-down around it: a slot past
 * its delay is stopped first (it may be the one the release goes into), and once the release
 * `wentLive` the slot it replaced is stopped after scale-down-delay (see scaleDownAfter).
 */
export async function releaseWithScaleDown<T>(
  target: TargetSettings,
  plan: TurnPlan,
  deps: ReleaseDeps,
  body: (locked: SessionDeps) => Promise<T>,
  wentLive: (outcome: T) => boolean,
): Promise<T> {
  let pending: ScaleDown | undefined;
  const outcome = await withEnvironmentLock(target, plan, deps, async (locked) => {
    await stopDueSlot(target, locked);
    const released = await body(locked);
    if (wentLive(released)) pending = await stopDueSlot(target, locked);
    return released;
  });
  await scaleDownAfter(target, deps, pending);
  return outcome;
}
