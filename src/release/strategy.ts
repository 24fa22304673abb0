import type { CanaryReport } from '../canary/run-canary-steps.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import type { Verification } from '../deploy/verify.ts';
import type { Slot } from '../model/release.ts';
import type { EnvironmentState, ReleaseKind, ReleasePhase } from '../ports.ts';
import type { Production } from './production-after.ts';
import type { HostChange, SlotSeen } from './release-state.ts';

export interface GoLiveRequest {
  readonly environment: string;
  readonly version: string;
  /**
   * A deploy (blue-green with promotion: manual pauses before the switch), a rollback (never
   * pauses), or the promotion of the release paused on its slot.
   */
  readonly kind: ReleaseKind;
  /** What users reach before. */
  readonly previous?: string;
  readonly signal: AbortSignal;
  /** The record as the release began (blue-green reads which version each slot runs). */
  readonly state: EnvironmentState;
  /**
   * Records that the release moves to `phase` before the step acts (blue-green: placing in
   * `slot`, verifying there, switching); `live`: users reach the new version now.
   */
  readonly at: (phase: ReleasePhase, slot?: string) => Promise<void>;
  /** Records what a host runs, verified or not, in rotation or not (rolling), before the next step acts. */
  readonly host: (name: string, change: HostChange) => Promise<void>;
  /** Canary: records the step (0-based) the release is at and the canary's weight, before it acts. */
  readonly canary: (step: number, weight: number) => Promise<void>;
}

/** One batch of a rolling release, for the summary's timeline. */
export interface BatchSpan {
  readonly hosts: readonly string[];
  /** Going back to the previous version after a failure. */
  readonly revert: boolean;
  readonly ok: boolean;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number;
}

export type GoLiveOutcome =
  | {
      readonly ok: true;
      /** Rolling: the batches, in order. */
      readonly batches?: readonly BatchSpan[];
      /** Rolling: what became of each host the release reached. */
      readonly hosts?: Readonly<Record<string, string>>;
      readonly attempts: readonly AttemptRecord[];
      readonly facts: Readonly<Record<string, number | string>>;
      /** Blue-green: the version checked on its slot before any user reached it. */
      readonly slotCheck?: Verification;
      /** Verified on its slot, traffic not switched: it waits for promotion (promotion: manual, a canary's pause: {}). */
      readonly paused?: true;
      /** Canary: its steps, weights and measurements. */
      readonly canary?: CanaryReport;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly attempts: readonly AttemptRecord[];
      readonly facts: Readonly<Record<string, number | string>>;
      /** The version was proven broken before any user reached it (blue-green): mark it bad. */
      readonly rejected?: boolean;
      readonly slotCheck?: Verification;
      /** Blue-green: the rejected release's slot was stopped at once (stop-command). */
      readonly stoppedSlot?: string;
      /** Where it left users, when the strategy itself knows (rolling: reverted, or stopped mid-fleet). */
      readonly production?: Production;
      readonly batches?: readonly BatchSpan[];
      readonly hosts?: Readonly<Record<string, string>>;
      /** Canary: stopped by its analysis without proof it is bad (inconclusive, unmeasurable): aborted, not bad. */
      readonly aborted?: true;
      readonly canary?: CanaryReport;
    };

/**
 * How a version goes live. The release skeleton records, verifies and recovers around it; a new
 * strategy (blue-green, canary) is a new implementation of this, not a new skeleton.
 */
export interface ReleaseStrategy {
  readonly name: string;
  /** Production changes from the driver's first attempt on (in place), not only at a switch. */
  readonly changesInPlace: boolean;
  /** One line for the dry-run plan. */
  plan(version: string): string;
  /**
   * Makes `version` what users reach. Resolves once it is live (ok) or once it gave up; throws
   * only when interrupted (its process trees stopped by then) or on a fault of ours.
   */
  goLive(request: GoLiveRequest): Promise<GoLiveOutcome>;
  /**
   * Behind a proxy: the slot it sends users to now, read from the proxy itself ('unknown' when
   * it cannot be read, or does not say one slot). Absent in place: there is nothing to ask.
   */
  observe?(): Promise<SlotSeen>;
  /**
   * The dry run: what going live would do, from what production says now (the proxy read, the
   * slots asked, the proxy's own check run), by the same choice the release makes; changes nothing.
   * Absent in place: the driver's plan says it all.
   */
  preview?(request: PreviewRequest): Promise<StrategyPreview>;
  /**
   * Canary: a release a killed deploy left mid-canary has its traffic put back on the stable
   * slot; resolves with what the proxy serves after.
   */
  recover?(state: EnvironmentState, signal: AbortSignal): Promise<SlotSeen>;
  /** Ends what the driver holds for the release (SSH connections, a key on disk). */
  close?(): Promise<void>;
  /** Behind a proxy: its name, and how a person sees what it serves (said when it could not be read). */
  readonly proxy?: { readonly name: string; readonly readCommand: string };
}

export interface PreviewRequest {
  readonly version: string;
  readonly state: EnvironmentState;
  readonly signal: AbortSignal;
}

/** What a strategy would do now, for the dry run. */
export interface StrategyPreview {
  /** The plan's lines, each `  label:  what`. */
  readonly lines: readonly string[];
  /** The slot the driver would run in: its check run is given it, as the real run is. */
  readonly slot?: Slot;
  /** When the public probes run (default: after the switch). */
  readonly publicCheckWhen?: string;
  /** Why the real release would change nothing and fail, had it run now. */
  readonly refusal?: string;
}
