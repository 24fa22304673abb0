/** What one measurement of a probe found, when the probe could run. Errors are thrown instead. */
export interface ProbeOutcome {
  readonly phase: 'successful' | 'failed' | 'inconclusive';
  /** The value judged: a status code, a metric value, an exit code. */
  readonly value?: unknown;
  readonly reason: string;
  /** Measured by the probe itself where it knows better than the engine (time to last byte). */
  readonly latencyMs?: number;
  /** What a command printed: for the log only, never a report (command output is never recorded). */
  readonly output?: string;
}

/** A measurement that could not run, with the output that says why (for the log only). */
export class ProbeError extends Error {
  readonly output: string;

  constructor(message: string, output: string) {
    super(message);
    this.name = 'ProbeError';
    this.output = output;
  }
}

/**
 * A probe measures one thing once. It returns an outcome when it ran (successful or failed)
 * and throws when it could not run (refused, timeout, DNS): an error measurement. It stops
 * as soon as `signal` aborts.
 */
export interface Probe {
  readonly name: string;
  readonly type: string;
  /** Where it looks, for people (credentials removed). */
  readonly target: string;
  measure(signal: AbortSignal): Promise<ProbeOutcome>;
}

/** A value from outside (a response, an output) quoted for a reason line: short, one line. */
export function quote(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const oneLine = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return typeof value === 'string' ? oneLine : oneLine.slice(1, -1).replace(/\\"/g, '"');
}

/** Whether a condition (every expectation in it) held, and what was seen. */
export interface ConditionResult {
  readonly holds: boolean;
  readonly reason: string;
}

/**
 * Argo's reading of one measurement: the failure condition (`fail-when`), if declared and held,
 * fails it; else the success condition (`expect`) makes it successful; else it is inconclusive
 * when a failure condition was declared (neither held), and failed when none was.
 */
export function classify(
  success: ConditionResult,
  failure: ConditionResult | undefined,
): Pick<ProbeOutcome, 'phase' | 'reason'> {
  if (failure?.holds) return { phase: 'failed', reason: `fail-when holds: ${failure.reason}` };
  if (success.holds) return { phase: 'successful', reason: success.reason };
  if (failure) return { phase: 'inconclusive', reason: `${success.reason}, and fail-when does not hold` };
  return { phase: 'failed', reason: success.reason };
}
