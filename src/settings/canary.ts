import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { CanarySettings, CanaryStep } from '../model/canary.ts';
import { durationField } from '../schema/fields.ts';
import { type AnalysisBase, parseAnalysis } from './canary-analysis.ts';
import type { InputSpecs } from './input-spec.ts';
import { parseWithSchema } from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

/** The inputs of strategy: canary. */
export const canaryInputs = {
  'canary-steps': {
    description:
      "canary: the steps, in Argo Rollouts' words, as a YAML list: - set-weight: 10 (the canary's share of traffic in percent; with hosts, of the hosts), - pause: 2m (or pause: {} to wait for promote), - analysis: {…} (measured to a verdict; anything but successful aborts). The release ends at 100.",
    default: '',
  },
  'canary-analysis': {
    description:
      'canary: the background analysis, measured from the first weight to promotion; its first failure aborts at once. YAML: prometheus, window, min-requests, interval, count, limits, and metrics: templates (error-ratio, latency from HAProxy; app-error-ratio, app-latency from the application) each with max, max-over-stable or max-times-stable, or probes (promql, http …).',
    default: '',
  },
  'canary-timeout': {
    description: 'canary: how long a pause: {} waits for promote before the canary is aborted.',
    default: '1h',
  },
} as const satisfies InputSpecs;

const EXAMPLE = 'e.g. [{set-weight: 10}, {pause: 1m}, {set-weight: 50}, {pause: {}}]';

/** The canary's steps, background analysis and timeout; every problem names its input. */
export function parseCanary(values: Record<string, string>, traffic: string): CanarySettings {
  const background = parseBackground(values['canary-analysis'] ?? '');
  const timeoutMs = parseWithSchema(z.object({ 'canary-timeout': durationField }), {
    'canary-timeout': values['canary-timeout'] || '1h',
  })['canary-timeout'];
  const steps = parseSteps(values['canary-steps'] ?? '', background?.base ?? {});
  if (!steps.some((step) => step.kind === 'set-weight' && step.weight > 0))
    throw new ConfigurationError(
      'canary-steps',
      `no step gives the canary traffic: add a set-weight above 0 (${EXAMPLE})`,
    );
  const settings = { steps, ...(background ? { background: background.analysis } : {}), timeoutMs };
  refuseProxyTemplates(settings, traffic);
  return settings;
}

/** error-ratio and latency read HAProxy's exporter: behind another proxy they would measure nothing. */
function refuseProxyTemplates(canary: CanarySettings, traffic: string): void {
  if (traffic === 'haproxy') return;
  const analyses = [
    ...(canary.background ? [{ input: 'canary-analysis', analysis: canary.background }] : []),
    ...canary.steps.flatMap((step) =>
      step.kind === 'analysis' ? [{ input: 'canary-steps', analysis: step.analysis }] : [],
    ),
  ];
  for (const { input, analysis } of analyses) {
    const proxy = analysis.templates.find((t) => t.template === 'error-ratio' || t.template === 'latency');
    if (proxy)
      throw new ConfigurationError(
        input,
        `template ${proxy.template} reads HAProxy's exporter, and traffic is ${traffic}: use app-error-ratio or app-latency (the application's metrics by version), or a promql probe`,
      );
  }
}

function parseBackground(text: string) {
  if (!text.trim()) return undefined;
  const raw = readStructuredText(text, 'canary-analysis');
  const { analysis, declared } = parseAnalysis(raw, {
    input: 'canary-analysis',
    label: 'the background analysis',
    background: true,
  });
  // A step's analysis inherits where and how to measure, not the background's count.
  const { count: _count, ...base } = declared;
  return { analysis, base: base as AnalysisBase };
}

function parseSteps(text: string, base: AnalysisBase): CanaryStep[] {
  if (!text.trim())
    throw new ConfigurationError('canary-steps', `is required with strategy: canary (${EXAMPLE})`);
  const list = readStructuredText(text, 'canary-steps');
  if (!Array.isArray(list) || list.length === 0)
    throw new ConfigurationError('canary-steps', `expected a non-empty list of steps (${EXAMPLE})`);
  return list.map((entry: unknown, at) => parseStep(entry, `step ${at + 1}`, base));
}

function parseStep(entry: unknown, label: string, base: AnalysisBase): CanaryStep {
  const keys = entry && typeof entry === 'object' && !Array.isArray(entry) ? Object.keys(entry) : [];
  const key = keys[0];
  if (keys.length !== 1 || !['set-weight', 'pause', 'analysis'].includes(key!))
    throw new ConfigurationError(
      'canary-steps',
      `${label}: expected one of set-weight, pause or analysis, each alone in its step (${EXAMPLE})`,
    );
  const value = (entry as Record<string, unknown>)[key!];
  if (key === 'set-weight') {
    const weight = Number(value);
    if (
      typeof value === 'boolean' ||
      value === null ||
      !Number.isInteger(weight) ||
      weight < 0 ||
      weight > 100
    )
      throw new ConfigurationError(
        'canary-steps',
        `${label}: set-weight ${JSON.stringify(value)} is not a whole percentage, 0 to 100`,
      );
    return { kind: 'set-weight', weight };
  }
  if (key === 'pause') return parsePause(value, label);
  const { analysis } = parseAnalysis(
    value,
    { input: 'canary-steps', label: `${label} (analysis)`, background: false },
    base,
  );
  return { kind: 'analysis', analysis };
}

function parsePause(value: unknown, label: string): CanaryStep {
  const isEmpty =
    value === null || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
  if (isEmpty) return { kind: 'pause' };
  const raw =
    typeof value === 'object' && value && 'duration' in value
      ? (value as { duration: unknown }).duration
      : value;
  const parsed = durationField.safeParse(raw);
  if (!parsed.success || (typeof value === 'object' && value && Object.keys(value).length !== 1))
    throw new ConfigurationError(
      'canary-steps',
      `${label}: pause ${JSON.stringify(value)} is not a duration (30s, 2m) nor {} (wait for promote)`,
    );
  return { kind: 'pause', ms: parsed.data };
}

/**
 * Across hosts a canary only grows: a lower weight would mean reverting hosts mid-canary, which
 * an abort does.
 */
export function refuseOnHosts(canary: CanarySettings): void {
  let highest = 0;
  canary.steps.forEach((step, at) => {
    if (step.kind !== 'set-weight') return;
    if (step.weight < highest)
      throw new ConfigurationError(
        'canary-steps',
        `step ${at + 1}: set-weight ${step.weight} is below an earlier ${highest}: across hosts a canary only grows (an abort takes every host back)`,
      );
    highest = step.weight;
  });
}
