import type { CanaryReport } from './canary.ts';
import type { CheckResult } from './health.ts';

/** What an incident says: where a release failed, what it left, and the evidence. */
export interface IncidentFacts {
  readonly environment: string;
  readonly version?: string;
  readonly previousVersion?: string;
  /** The stage that failed: preflight, gate, deploy, health-check, rollback … */
  readonly stage?: string;
  /**
   * not-needed: production was checked after the failure and the old version still serves,
   * verified; not-reached: the release was rejected before any user reached it; reverted
   * (rolling): every host it reached went back to the previous version, each verified.
   */
  readonly rollback: 'succeeded' | 'failed' | 'not-needed' | 'not-reached' | 'reverted' | 'none';
  readonly actor?: string;
  readonly runUrl?: string;
  readonly runner?: string;
  readonly at: string;
  /** The health-check report (the health-check action's `report` output), or Markdown as given. */
  readonly health?: CheckResult | string;
  /** Rolling: each host the release reached, and what became of it. */
  readonly hosts?: Readonly<Record<string, string>>;
  /** A canary: its steps, weights and the analysis' measurements. */
  readonly canary?: CanaryReport;
  /** The tail of the failing step's output, secrets already removed. */
  readonly log?: string;
}
