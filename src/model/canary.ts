import type { Measurement, ProbeSpec } from './health.ts';

/**
 * A canary release, in Argo Rollouts' vocabulary: steps that set the canary's weight, pause, or
 * run an analysis, and a background analysis measured from the first weight to promotion. The
 * parsers in settings/ produce these; the engine in canary/ runs them.
 */

export type CanaryStep =
  /** The canary's share of new traffic, in percent (slots), or of the hosts (a fleet). */
  | { readonly kind: 'set-weight'; readonly weight: number }
  /** A pause; without a duration it waits for `promote` (or `abort`). */
  | { readonly kind: 'pause'; readonly ms?: number }
  /** An analysis run to its verdict; anything but successful aborts. */
  | { readonly kind: 'analysis'; readonly analysis: CanaryAnalysis };

/**
 * What a template measures, from HAProxy's built-in exporter (per server: a slot or a host) or
 * from the application's own metrics labelled by version.
 */
export type TemplateKind = 'error-ratio' | 'latency' | 'app-error-ratio' | 'app-latency';

/** The bound a template's canary value must stay within: absolute, or relative to stable's. */
export type TemplateBound =
  | { readonly kind: 'max'; readonly value: number }
  /** canary ≤ stable + value (error ratios). */
  | { readonly kind: 'max-over-stable'; readonly value: number }
  /** canary ≤ stable × value (latencies). */
  | { readonly kind: 'max-times-stable'; readonly value: number };

export interface MetricTemplate {
  readonly name: string;
  readonly template: TemplateKind;
  readonly bound: TemplateBound;
  /** The application's metrics (app-* templates): their names and labels. */
  readonly app?: AppMetrics;
}

export interface AppMetrics {
  /** A counter of requests, labelled by version and status code. */
  readonly requests: string;
  /** A histogram of request durations in seconds, labelled by version. */
  readonly duration: string;
  readonly versionLabel: string;
  readonly codeLabel: string;
  /** The quantile app-latency compares (0.95). */
  readonly quantile: number;
}

export interface CanaryAnalysis {
  /** The Prometheus the templates query. */
  readonly prometheus?: URL;
  /** The templates' rate window (ms). */
  readonly windowMs: number;
  /** Fewer canary requests in the window than this: the measurement is inconclusive. */
  readonly minRequests: number;
  readonly templates: readonly MetricTemplate[];
  /** Other probes (promql, http …), each under its own judgement. */
  readonly probes: readonly ProbeSpec[];
  /** The templates' judgement (interval, count, limits). */
  readonly judgement: ProbeSpec['judgement'];
}

export interface CanarySettings {
  readonly steps: readonly CanaryStep[];
  /** Measured from the first weight to promotion; a failure aborts at once. */
  readonly background?: CanaryAnalysis;
  /** How long a `pause: {}` waits for promote before the canary is aborted (ms). */
  readonly timeoutMs: number;
}

/** The values a measurement records (the incident and the chart carry them). */
export interface MetricValue {
  readonly canary?: number;
  readonly stable?: number;
  readonly requests: number;
}

/** One measurement an analysis took, on the release's clock: what the chart and the incident show. */
export interface AnalysisSample {
  /** `background`, or the step's label. */
  readonly by: string;
  readonly metric: string;
  /** Epoch milliseconds. */
  readonly at: number;
  /** The canary's weight when it was taken. */
  readonly weight: number;
  readonly phase: Measurement['phase'];
  readonly value?: unknown;
  readonly reason: string;
}

/** One step as it ran, for the summary and the incident. */
export interface StepSpan {
  /** 1-based, as the user counts the steps. */
  readonly step: number;
  readonly label: string;
  /** The canary's weight while it ran (set-weight: the weight it set). */
  readonly weight: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly result: 'done' | 'aborted' | 'paused';
  /** An analysis step: its verdict and why. */
  readonly detail?: string;
}

/** What a canary went through: its steps, each weight it had when, and every measurement. */
export interface CanaryReport {
  readonly steps: readonly StepSpan[];
  readonly weights: readonly { readonly at: number; readonly weight: number }[];
  readonly samples: readonly AnalysisSample[];
}
