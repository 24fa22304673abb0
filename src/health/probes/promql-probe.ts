import { type PromSample, queryPrometheus } from '../../clients/prometheus-query.ts';
import type { PromqlProbeDeclaration } from '../../schema/probe-schema.ts';
import { satisfies, type Threshold } from '../../schema/threshold.ts';
import { type ConditionResult, classify, type Probe, type ProbeOutcome } from '../probe.ts';

/** An instant PromQL query whose every series must meet the threshold. No series is unknown, never healthy. */
export function createPromqlProbe(spec: PromqlProbeDeclaration): Probe {
  return {
    name: spec.name,
    type: 'promql',
    target: spec.query,
    async measure(signal) {
      const samples = await queryPrometheus({
        baseUrl: spec.prometheus,
        query: spec.query,
        headers: spec.headers,
        tlsVerify: spec['tls-verify'],
        signal,
      });
      return judgeSamples(spec, samples);
    },
  };
}

/** Pure: the samples against the threshold. Empty or NaN results are errors: nothing was measured. */
export function judgeSamples(spec: PromqlProbeDeclaration, samples: readonly PromSample[]): ProbeOutcome {
  if (samples.length === 0) throw new Error('the query returned no series: the value is unknown');
  const unknown = samples.find((sample) => Number.isNaN(sample.value));
  if (unknown) throw new Error(`the query returned NaN${describeLabels(unknown)}: the value is unknown`);
  const value = samples.length === 1 ? samples[0]!.value : samples.map((sample) => sample.value);
  const success = everySample(samples, spec.expect.value);
  const failWhen = spec['fail-when'];
  const failure = failWhen ? anySample(samples, failWhen.value) : undefined;
  return { value, ...classify(success, failure) };
}

/** The success condition: every series meets the threshold. */
function everySample(samples: readonly PromSample[], threshold: Threshold): ConditionResult {
  const offending = samples.find((sample) => !satisfies(threshold, sample.value));
  if (offending)
    return {
      holds: false,
      reason: `value ${offending.value}${describeLabels(offending)} is not ${threshold.description}`,
    };
  const shown = samples.length === 1 ? `value ${samples[0]!.value}` : `all ${samples.length} series`;
  return { holds: true, reason: `${shown} ${threshold.description}` };
}

/** The failure condition: one series meeting it is enough. */
function anySample(samples: readonly PromSample[], threshold: Threshold): ConditionResult {
  const offending = samples.find((sample) => satisfies(threshold, sample.value));
  if (offending)
    return {
      holds: true,
      reason: `value ${offending.value}${describeLabels(offending)} ${threshold.description}`,
    };
  return { holds: false, reason: `no series ${threshold.description}` };
}

function describeLabels(sample: PromSample): string {
  const pairs = Object.entries(sample.labels).map(([key, value]) => `${key}="${value}"`);
  return pairs.length > 0 ? ` {${pairs.join(', ')}}` : '';
}
