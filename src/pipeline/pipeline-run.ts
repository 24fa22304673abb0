import { describeError } from '../errors.ts';
import type { CheckResult } from '../health/engine.ts';
import type { IssueTracker, WriteTextFile } from '../ports.ts';
import type { PreflightDeps } from '../preflight/check-outcome.ts';
import type { Production } from '../release/production-after.ts';
import type { ReleaseDeps } from '../release/release-deps.ts';
import type { ScaleDown } from '../release/scale-down.ts';
import type { PipelineSettings } from '../settings/pipeline.ts';
import type { DeployOutcome } from '../steps/deploy.ts';
import type { IncidentOutcome } from '../steps/incident.ts';
import type { RecoveryFacts } from './decide-recovery.ts';
import type { FailureKind, Ran, StageName, StageRecord } from './stage-log.ts';

export interface PipelineOutcome {
  readonly result: 'deployed' | 'unchanged' | 'rolled-back' | 'failed' | 'dry-run' | 'paused';
  readonly version: string;
  readonly previous?: string;
  /** paused: the slot's own address, where the version is tried before it is promoted. */
  readonly preview?: string;
  /** strategy canary: where it ended (paused at step 4 of 6 (25 %) …). */
  readonly canary?: string;
  readonly failedStage?: StageName;
  /** How the failed stage failed: bad input (the CLI exits 2), cancelled (130), or anything else. */
  readonly failure?: FailureKind;
  readonly stages: readonly StageRecord[];
  readonly incident?: Pick<IncidentOutcome, 'action' | 'number' | 'url' | 'failure'>;
  /** The record could not be written: why. */
  readonly unrecorded?: string;
  /** One sentence for people. */
  readonly message: string;
}

export interface PipelineDeps extends ReleaseDeps {
  readonly writeFile: WriteTextFile;
  readonly preflight: Omit<PreflightDeps, 'runner' | 'readState' | 'logger'>;
  /** Where incidents go; none means no incident stage. */
  readonly tracker?: IssueTracker;
}

/** What the pipeline gathered: the recovery facts, plus what the incident and the outcome tell. */
export interface Run {
  facts: RecoveryFacts;
  failure?: { stage: StageName; kind: FailureKind; message: string };
  deployed?: DeployOutcome;
  health?: CheckResult;
  /** The version a successful rollback restored. */
  rolledBackTo?: string;
  incidentRef?: PipelineOutcome['incident'];
  /** The old slot's scale-down still to come once the lock is released. */
  pendingScaleDown?: ScaleDown;
  notes: string[];
}

/** Records the first failure (and where it left production); later ones only add to the facts. */
export function failWith(
  run: Run,
  stage: StageName,
  why: string,
  production: Production,
  kind: FailureKind = 'failed',
): false {
  if (!run.failure) {
    run.failure = { stage, kind, message: why };
    run.facts = { ...run.facts, failed: { stage, production } };
  }
  if (kind === 'interrupted') run.facts = { ...run.facts, interrupted: true };
  return false;
}

/** The same, for a stage that threw. */
export function fail(
  run: Run,
  stage: StageName,
  ran: Extract<Ran<unknown>, { ok: false }>,
  production: Production,
): false {
  return failWith(run, stage, message(ran), production, ran.kind);
}

export function message(ran: Extract<Ran<unknown>, { ok: false }>): string {
  return describeError(ran.error);
}

export function canCheck(settings: PipelineSettings): boolean {
  const { verify } = settings.deploy;
  return (
    Boolean(settings.health) ||
    verify.probes.length > 0 ||
    Boolean(verify.versionCommand || verify.versionUrl)
  );
}
