import { labelOf } from '../canary/run-canary-steps.ts';
import { queryPrometheus } from '../clients/prometheus-query.ts';
import { formatDuration } from '../durations.ts';
import { describeError } from '../errors.ts';
import type { CanaryAnalysis, CanarySettings } from '../model/canary.ts';
import { liveView } from './release-state.ts';
import type { PreviewRequest, StrategyPreview } from './strategy.ts';

/**
 * A canary's dry run: blue-green's (the proxy read, the slots asked, the same choice), its go-live
 * line replaced by the steps the canary would take, and each analysis with whether its
 * Prometheus answers now (one read-only query): one that does not would fail the analysis closed.
 */
export async function previewCanary(
  base: StrategyPreview,
  canary: CanarySettings,
  request: PreviewRequest,
): Promise<StrategyPreview> {
  if (base.refusal) return base;
  const first = !liveView(request.state).version;
  const steps = `${canary.steps.map(labelOf).join(' → ')} → 100 %`;
  const lines = base.lines.flatMap((line) => {
    if (!line.startsWith('  go live:')) return [line];
    if (first)
      return [line, '  canary:      none: nothing was released here before, so nothing to compare it with'];
    return [
      line.replace(/then (.*) switches to it/, 'then $1 gives it a growing share'),
      `  canary:      ${steps}`,
    ];
  });
  if (first) return { ...base, lines };
  const analyses = [
    ...(canary.background ? [['background', canary.background] as const] : []),
    ...canary.steps.flatMap((step, at) =>
      step.kind === 'analysis' ? [[`step ${at + 1}`, step.analysis] as const] : [],
    ),
  ];
  const described = await Promise.all(
    analyses.map(([by, analysis]) => describeAnalysis(by, analysis, request.signal)),
  );
  return { ...base, lines: [...lines, ...described.map((text) => `  analysis:    ${text}`)] };
}

async function describeAnalysis(by: string, analysis: CanaryAnalysis, signal: AbortSignal): Promise<string> {
  const { judgement } = analysis;
  const metrics = [...analysis.templates.map((t) => t.name), ...analysis.probes.map((p) => p.name)].join(
    ', ',
  );
  const count = Number.isFinite(judgement.count) ? `${judgement.count} measurements` : 'until promotion';
  const said = `${by}: ${metrics}, every ${formatDuration(judgement.intervalMs)} (${count}) over ${formatDuration(analysis.windowMs)} windows, at least ${analysis.minRequests} requests`;
  if (!analysis.prometheus) return said;
  const answered = await queryPrometheus({
    baseUrl: analysis.prometheus,
    query: 'vector(1)',
    signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]),
  }).then(
    () => `Prometheus at ${analysis.prometheus!.host} answers`,
    (error: unknown) =>
      `Prometheus at ${analysis.prometheus!.host} does not answer (${describeError(error)}): the analysis would fail closed and abort the canary`,
  );
  return `${said}; ${answered}`;
}
