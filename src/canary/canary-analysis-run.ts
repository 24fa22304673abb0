import type { JudgedProbe } from '../health/engine.ts';
import { runHealthChecks } from '../health/engine.ts';
import type { AnalysisSample } from '../model/canary.ts';
import type { CheckResult } from '../model/health.ts';
import type { Clock } from '../ports.ts';

/**
 * An analysis measured to its verdict, every measurement kept as a sample. A background analysis
 * (count unbounded) is measured until `signal` aborts: undefined then, its samples kept.
 */
export async function measureAnalysis(
  probes: readonly JudgedProbe[],
  by: string,
  options: {
    readonly clock: Clock;
    readonly signal: AbortSignal;
    readonly weight: () => number;
    readonly onSample: (sample: AnalysisSample) => void;
  },
): Promise<CheckResult | undefined> {
  try {
    return await runHealthChecks(probes, {
      clock: options.clock,
      signal: options.signal,
      onMeasurement: (probe, measurement) =>
        options.onSample({
          by,
          metric: probe.name,
          at: Date.parse(measurement.startedAt) + measurement.latencyMs,
          weight: options.weight(),
          phase: measurement.phase,
          ...(measurement.value !== undefined ? { value: measurement.value } : {}),
          reason: measurement.reason,
        }),
    });
  } catch (error) {
    if (options.signal.aborted) return undefined;
    throw error;
  }
}
