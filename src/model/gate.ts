import type { Threshold } from '../schema/threshold.ts';

/** The runner gate's candidates and the checks each must pass. */

export interface GateCheck {
  readonly name: string;
  /** PromQL with `{runner}` for the candidate; in scrape mode, a metric name. */
  readonly query: string;
  readonly metric?: string;
  readonly expect: Threshold;
}

export interface Candidate {
  readonly name: string;
  readonly labels: readonly string[];
  readonly metricsUrl?: URL;
}

export interface RunnerGateSettings {
  readonly candidates: readonly Candidate[];
  readonly prometheusUrl?: URL;
  readonly checks: readonly GateCheck[];
  readonly queryTimeoutMs: number;
  readonly queryRetries: number;
  readonly onMetricsError: 'fail' | 'allow';
}
