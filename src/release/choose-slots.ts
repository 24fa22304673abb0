import type { Slot } from '../model/release.ts';
import type { EnvironmentState } from '../ports.ts';
import { liveView, slotContents } from './release-state.ts';

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
}

/**
 * `switch-first`: the idle slot still runs the version, verified good, and answers: traffic
 * goes back at once and is verified after (Argo's abort). `verify-then-switch`: it runs the
 * version but was not verified good: verified on the slot, then switched. `deploy`: the driver
 * makes the version run in the idle slot (a warm slot that no longer answers is not warm).
 */
export type SlotPlan =
  | { readonly kind: 'refuse'; readonly problem: string; readonly serve: string }
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
  const warm = contents.get(idle.name);
  const runsIt =
    warm?.version === version &&
    !warm.stopped &&
    (warm.status === 'good' || warm.status === 'failed' || warm.status === 'bad');
  if (runsIt && answers[idle.name] !== true) {
    notes.push(
      `slot ${idle.name} was recorded running ${version} but does not answer: deploying ${version} into it again`,
    );
    return { kind: 'deploy', from, idle, note: notes.join('; ') };
  }
  // Only a version verified good there goes back before it is checked again.
  const kind = !runsIt ? 'deploy' : warm?.status === 'good' ? 'switch-first' : 'verify-then-switch';
  return { kind, from, idle, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
}
