import type { CanaryReport } from '../canary/run-canary-steps.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import type { Verification, VerifyDeps } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import type { EnvironmentState, ReleaseKind } from '../ports.ts';
import type { ReleasePlan } from './plan-release.ts';
import type { Production } from './production-after.ts';
import type { SessionDeps } from './release-deps.ts';
import type { ReleaseJournal } from './release-journal.ts';
import type { BatchSpan, ReleaseStrategy } from './strategy.ts';

/** What a release is asked to do, what it came to, and the state of one under way. */

export interface ReleaseRequest {
  readonly kind: ReleaseKind;
  readonly target: TargetSettings;
  /** The decision over the record, made once the lock is held (planDeploy or planRollback). */
  readonly plan: (state: EnvironmentState) => ReleasePlan;
  /** How the version goes live; by default the strategy the target's settings ask for. */
  readonly strategy?: (deps: VerifyDeps) => ReleaseStrategy;
  /** Run before anything changes; failing it stops the release. */
  readonly preHook?: Hook;
  /** Run after a verified release; failing it only warns. */
  readonly postHook?: Hook;
  /** Why `plan.markBad` is marked bad, in the record. */
  readonly badReason?: (to: string) => string;
}

export interface Hook {
  readonly name: string;
  readonly command: string;
}

export interface ReleaseOutcome {
  /** paused: verified on its slot, waiting for promotion (blue-green, promotion: manual). */
  readonly result: 'released' | 'unchanged' | 'failed' | 'paused';
  readonly version: string;
  /** What users reached before (the version replaced). */
  readonly from?: string;
  readonly production: Production;
  readonly failedAt?: 'pre-hook' | 'go-live' | 'verify';
  readonly reason?: string;
  readonly attempts: readonly AttemptRecord[];
  readonly facts: Readonly<Record<string, number | string>>;
  /** Blue-green: the check on the version's own slot, before any user reached it. */
  readonly slotCheck?: Verification;
  readonly verification?: Verification;
  /** Rolling: the batches, in order (reverting ones too). */
  readonly batches?: readonly BatchSpan[];
  /** Rolling: what became of each host the release reached (the incident names them). */
  readonly hosts?: Readonly<Record<string, string>>;
  /** Canary: its steps, weights and every measurement of its analysis. */
  readonly canary?: CanaryReport;
  /** The record could not be written at the end: what failed (the outcome is still what happened). */
  readonly unrecorded?: string;
}

/**
 * What a release gathered, as the deploy, rollback and promote outcomes report it: where it left
 * production, the driver's attempts, the facts, both checks, and a record that could not be written.
 */
export type ReleaseEvidence = Pick<
  ReleaseOutcome,
  | 'production'
  | 'attempts'
  | 'facts'
  | 'slotCheck'
  | 'verification'
  | 'unrecorded'
  | 'batches'
  | 'hosts'
  | 'canary'
>;

/** A release outcome's evidence, without the keys it has no value for. */
export function evidenceOf(release: ReleaseOutcome): ReleaseEvidence {
  return {
    production: release.production,
    attempts: release.attempts,
    facts: release.facts,
    ...(release.slotCheck ? { slotCheck: release.slotCheck } : {}),
    ...(release.verification ? { verification: release.verification } : {}),
    ...(release.unrecorded ? { unrecorded: release.unrecorded } : {}),
    ...(release.batches ? { batches: release.batches } : {}),
    ...(release.hosts ? { hosts: release.hosts } : {}),
    ...(release.canary ? { canary: release.canary } : {}),
  };
}

/** One release under way: what it is, what works it, and the record it keeps. */
export interface Underway {
  readonly request: ReleaseRequest;
  readonly deps: SessionDeps;
  readonly signal: AbortSignal;
  readonly strategy: ReleaseStrategy;
  readonly journal: ReleaseJournal;
  readonly version: string;
  readonly from?: string;
  /** The driver's attempts so far (kept for a fault's outcome). */
  attempts: readonly AttemptRecord[];
}
