import type { ReleasePhase } from '../ports.ts';

/**
 * Where a release that did not end well left production: `untouched` (users reach what they
 * reached before), `rejected` (untouched, and the version was proven broken before any user
 * reached it), `reverted` (some users reached it, a canary, and all are back on what they
 * reached before), `maybe-changed` (an in-place driver ran), `live-unverified` (users reach the new
 * version, not verified), `unknown` (a switch was under way and the proxy could not be read).
 */
export type Production =
  | 'untouched'
  | 'rejected'
  | 'reverted'
  | 'maybe-changed'
  | 'live-unverified'
  | 'live-verified'
  | 'unknown';

/** What the proxy was seen serving after the fault: the new version's slot, the old one's, or nothing readable. */
export type Observed = 'new' | 'old' | 'unknown';

/**
 * How the release ended badly: it gave up (`failed`), its version was proven broken before any
 * user reached it (`rejected`), something of ours or the world's threw (`fault`), or it was
 * cancelled or timed out (`interrupted`).
 */
export type Fault = 'failed' | 'rejected' | 'fault' | 'interrupted';

export interface FaultFacts {
  /** How far the release got: not begun (plan, pre hook), the driver at work in place, or a blue-green phase. */
  readonly phase: 'not-begun' | 'driving' | ReleasePhase;
  /** In place: the driver ran at least one attempt (it may have stopped the old version). */
  readonly driverRan: boolean;
  readonly fault: Fault;
  /** Blue-green, from the switch on: what the proxy serves, read after the fault (absent: no proxy, in place). */
  readonly observed?: Observed;
}

/**
 * The one decision of where a failed, faulted or interrupted release left production, over how
 * far it got and what was observed after (pure; the table in production-after.test.ts). Before a
 * switch, blue-green users never left the old slot; from the switch on, only the proxy knows, so
 * a switch whose outcome could not be read is `unknown`, never "nothing happened".
 */
export function productionAfter(facts: FaultFacts): Production {
  switch (facts.phase) {
    case 'not-begun':
      return 'untouched';
    case 'driving':
      // Cut short mid-change, the driver may have stopped the old version: the new one is what
      // the record must assume, as a killed deploy's release is settled.
      if (facts.fault === 'interrupted') return 'live-unverified';
      return facts.driverRan ? 'maybe-changed' : 'untouched';
    case 'placing':
    case 'verifying':
      return facts.fault === 'rejected' ? 'rejected' : 'untouched';
    case 'canary':
      // Some users reached the canary: only the proxy says whether all are back on stable.
      if (facts.observed === 'old') return 'reverted';
      return facts.observed === 'new' ? 'live-unverified' : 'unknown';
    case 'switching':
    case 'live':
      if (facts.observed === 'new') return 'live-unverified';
      if (facts.observed === 'old') return 'untouched';
      // In place there is no proxy to ask: the driver made the version live.
      return facts.observed === undefined && facts.phase === 'live' ? 'live-unverified' : 'unknown';
  }
}

/** Whether users may reach the release's version (the record names it current, unverified). */
export function mayBeLive(production: Production): boolean {
  return production !== 'untouched' && production !== 'rejected' && production !== 'reverted';
}
