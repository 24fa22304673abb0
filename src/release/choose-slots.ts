import type { Slot } from '../model/release.ts';
import type { EnvironmentState } from '../ports.ts';
import { awaitingPromotion, liveView, slotContents } from './release-state.ts';

/** What was gathered before a blue-green release chooses its slots. */
export interface SlotFacts {
  readonly slots: readonly [Slot, Slot];
  /** The record as the release began. */
  readonly record: EnvironmentState;
  /** The version to release. */
  readonly version: string;
  /** The slots the proxy sends new traffic to, as it says now. */
  readonly proxyServes: readonly string[];
  /** Per slot: whether its process answers now (one connection). */
  readonly answers: Readonly<Record<string, boolean>>;
  /**
   * promotion: manual: a deploy `pause`s once verified on its slot (so it never switches first);
   * `promote` switches to the release paused there.
   */
  readonly promotion?: 'pause' | 'promote';
}

/**
 * `switch-first`: the idle slot still runs the version, verified good, and answers: traffic
 * goes back at once and is verified after (Argo's abort). `verify-then-switch`: it runs the
 * version but was not verified good: verified on the slot, then switched. `deploy`: the driver
 * makes the version run in the idle slot (a warm slot that no longer answers is not warm).
 */
export type SlotPlan =
  | {
      readonly kind: 'refuse';
      readonly problem: string;
      readonly serve: string;
      /** What to do instead, when it is not to put traffic on `serve`. */
      readonly remedy?: string;
    }
  | {
      readonly kind: 'switch-first' | 'verify-then-switch' | 'deploy';
      readonly from: Slot;
      readonly idle: Slot;
      /** The first release: no user is served yet, so `from` serves no one and runs nothing. */
      readonly bootstrap?: true;
      /** Said before the release acts (why a warm slot is deployed again, why the proxy's view wins). */
      readonly note?: string;
    };

/**
 * Blue-green's choice of slots, pure over what was observed: the proxy says which slot serves;
 * the record says what each slot ran; the slots' answers say which are alive. The record is
 * trusted only where it was settled: a release whose switch could not be read back leaves the
 * proxy's word as the truth.
 */
export function chooseSlots(facts: SlotFacts): SlotPlan {
  const { slots, record, version, proxyServes, answers } = facts;
  // The record before this release (the one under way is not yet anywhere).
  const before = { ...record, releases: record.releases.filter((r) => r.status !== 'deploying') };
  const live = liveView(before);
  // Nothing was ever live and the proxy serves no one: nothing to protect, the first version
  // goes into the first slot (as Argo, Kamal and kamal-proxy bring a first version up).
  if (proxyServes.length === 0 && !live.version && !live.unsettled)
    return {
      kind: 'deploy',
      from: slots[1],
      idle: slots[0],
      bootstrap: true,
      note: `first release of ${record.environment}: nothing was live and the proxy serves no slot, so ${version} goes into slot ${slots[0].name}, is verified there, then gets traffic`,
    };
  if (proxyServes.length !== 1)
    return {
      kind: 'refuse',
      problem: `sends traffic to ${proxyServes.length === 0 ? 'no slot' : proxyServes.join(' and ')}, not one`,
      serve: proxyServes[0] ?? slots[0].name,
    };
  const from = slots.find((slot) => slot.name === proxyServes[0])!;
  const idle = slots.find((slot) => slot.name !== from.name)!;
  const notPromotable = facts.promotion === 'promote' ? refusePromotion(facts, from, idle) : undefined;
  if (notPromotable) return notPromotable;
  const contents = slotContents(before);
  const recordedLive = live.unsettled?.version ?? live.version;
  const serving = contents.get(from.name);
  const unsettledSwitch = live.unsettled?.phase === 'switching';
  const notes: string[] = [];
  if (recordedLive && serving && serving.version !== recordedLive) {
    if (!unsettledSwitch)
      return {
        kind: 'refuse',
        problem: `serves slot ${from.name}, which last ran ${serving.version}, but the record says ${recordedLive} is live`,
        serve: from.name,
      };
    notes.push(
      `the switch to ${live.unsettled?.version} could not be read back when it ended; the proxy serves slot ${from.name} (${serving.version}), and that is what this release starts from`,
    );
  }
  // Promoted: checked on its slot again (time has passed since it was verified), then switched to.
  if (facts.promotion === 'promote') return { kind: 'verify-then-switch', from, idle };
  const warm = contents.get(idle.name);
  const runsIt = warm?.version === version && !warm.stopped && RAN_THROUGH.has(warm.status);
  if (runsIt && answers[idle.name] !== true) {
    notes.push(
      `slot ${idle.name} was recorded running ${version} but does not answer: deploying ${version} into it again`,
    );
    return { kind: 'deploy', from, idle, note: notes.join('; ') };
  }
  // Only a version verified good there goes back before it is checked again; a deploy that
  // waits for promotion never switches before it pauses.
  const switchFirst = warm?.status === 'good' && facts.promotion !== 'pause';
  const kind = !runsIt ? 'deploy' : switchFirst ? 'switch-first' : 'verify-then-switch';
  return { kind, from, idle, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
}

/** Statuses of a release that ran to its end in its slot: the slot may still run its version. */
const RAN_THROUGH = new Set(['good', 'failed', 'bad', 'paused', 'aborted']);

/**
 * Why the release paused in the idle slot cannot be promoted now, if it cannot: nothing waits,
 * the proxy already serves its slot, or its slot no longer answers.
 */
function refusePromotion(facts: SlotFacts, from: Slot, idle: Slot): SlotPlan | undefined {
  const paused = awaitingPromotion(facts.record);
  if (!paused)
    return {
      kind: 'refuse',
      problem: 'serves one slot and no release waits for promotion on the other',
      serve: from.name,
      remedy: 'a deploy with promotion: manual pauses one',
    };
  if (paused.slot !== idle.name)
    return {
      kind: 'refuse',
      problem: `already sends traffic to slot ${from.name}, where ${paused.version} waits for promotion (it was switched outside deploy-actions)`,
      serve: from.name,
      remedy: `deploy ${paused.version} to verify and record it, or put traffic back on the other slot`,
    };
  if (facts.answers[idle.name] !== true)
    return {
      kind: 'refuse',
      problem: `serves slot ${from.name}, and slot ${idle.name}, where ${paused.version} waits for promotion, no longer answers`,
      serve: from.name,
      remedy: `deploy ${paused.version} again (it is put back into ${idle.name} and verified there), or abort`,
    };
  return undefined;
}
