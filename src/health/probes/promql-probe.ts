import { type PromSample, queryPrometheus } from '../../clients/prometheus-query.ts';
import type { Probe, ProbeOutcome } from '../probe.ts';
import type { PromqlProbeDeclaration } from '../probe-schema.ts';
import { satisfies } from '../threshold.ts';

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
  const threshold = spec.expect.value;
  if (samples.length === 0) throw new Error('the query returned no series: the value is unknown');
  const unknown = samples.find((sample) => Number.isNaN(sample.value));
  if (unknown) throw new Error(`the query returned NaN${describeLabels(unknown)}: the value is unknown`);
  const value = samples.length === 1 ? samples[0]!.value : samples.map((sample) => sample.value);
  const offending = samples.find((sample) => !satisfies(threshold, sample.value));
  if (offending) {
    const reason = `value ${offending.value}${describeLabels(offending)} is not ${threshold.description}`;
    return { phase: 'failed', value, reason };
  }
  const shown = samples.length === 1 ? `value ${samples[0]!.value}` : `all ${samples.length} series`;
  return { phase: 'successful', value, reason: `${shown} ${threshold.description}` };
}

function describeLabels(sample: PromSample): string {
  const pairs = Object.entries(sample.labels).map(([key, value]) => `${key}="${value}"`);
  return pairs.length > 0 ? ` {${pairs.join(', ')}}` : '';
}
