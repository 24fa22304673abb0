import type { Production } from '../release/production-after.ts';

/** What is known so far of a pipeline run, gathered stage by stage. */
export interface RecoveryFacts {
  /** The first stage that failed, and where it left production. */
  readonly failed?: { readonly stage: string; readonly production: Production };
  /** Cancelled: no time to recover; the record says what was left. */
  readonly interrupted?: boolean;
  readonly autoRollback: boolean;
  /**
   * When a failure opens an incident: user-impact (default: the new version reached users, or
   * production may be unhealthy) or any-failure (a release rejected before any user reached it too).
   */
  readonly incidentOn?: 'user-impact' | 'any-failure';
  /** Probes exist to tell whether production is healthy. */
  readonly canCheck: boolean;
  /** Production checked after a failure that may have changed it. */
  readonly production?: 'healthy' | 'unhealthy';
  readonly rollback?: 'succeeded' | 'failed';
  /** Production checked again after the rollback. */
  readonly reverified?: 'healthy' | 'unhealthy';
}

/** How the incident tells what became of production. */
export type RollbackReport = 'succeeded' | 'failed' | 'not-needed' | 'not-reached' | 'reverted' | 'none';

export type Recovery =
  | { readonly next: 'resolve-incident' }
  | { readonly next: 'check-production' }
  | { readonly next: 'roll-back' }
  | { readonly next: 're-verify' }
  | { readonly next: 'open-incident'; readonly rollback: RollbackReport }
  /** Nothing to recover and nothing to report beyond the stages: production was never touched, or the run was cancelled. */
  | { readonly next: 'stop' };

/**
 * The pipeline's one recovery decision, pure over what it has gathered; the pipeline calls it
 * after each step of recovery until it says to open or resolve the incident, or to stop.
 * Production is made healthy after any failure that may have touched it: checked when it may
 * have changed, rolled back when it is unhealthy or the new version is live and failed.
 */
export function decideRecovery(facts: RecoveryFacts): Recovery {
  if (facts.interrupted) return { next: 'stop' };
  const { failed } = facts;
  if (!failed) return { next: 'resolve-incident' };
  if (failed.production === 'untouched') return { next: 'stop' };
  // A canary's users were hurt, and are all back on the old version: said, nothing to roll back.
  if (failed.production === 'reverted') return { next: 'open-incident', rollback: 'reverted' };
  // Proven broken before any user reached it: production is as it was. The run fails with its
  // summary; an incident only if asked for (else a later real outage would become its comment).
  if (failed.production === 'rejected')
    return facts.incidentOn === 'any-failure'
      ? { next: 'open-incident', rollback: 'not-reached' }
      : { next: 'stop' };
  if (facts.rollback === 'failed') return { next: 'open-incident', rollback: 'failed' };
  if (facts.rollback === 'succeeded') {
    if (facts.reverified === 'unhealthy') return { next: 'open-incident', rollback: 'failed' };
    if (facts.reverified === undefined && facts.canCheck) return { next: 're-verify' };
    return { next: 'open-incident', rollback: 'succeeded' };
  }
  // The driver ran in place, or a switch's outcome could not be read: look before acting.
  const unsure = failed.production === 'maybe-changed' || failed.production === 'unknown';
  if (unsure && facts.production === undefined && facts.canCheck) return { next: 'check-production' };
  if (facts.production === 'healthy') return { next: 'open-incident', rollback: 'not-needed' };
  // Unhealthy, live and failed, or changed with no way to check: back to the last good version.
  return facts.autoRollback ? { next: 'roll-back' } : { next: 'open-incident', rollback: 'none' };
}
