import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type {
  AppMetrics,
  CanaryAnalysis,
  MetricTemplate,
  TemplateBound,
  TemplateKind,
} from '../model/canary.ts';
import type { Judgement } from '../model/health.ts';
import { durationField, failureLimitField, wholeNumberField } from '../schema/fields.ts';
import { parseWithSchema } from './input-spec.ts';
import { checkLimits, parseProbes } from './probe-list.ts';

/**
 * An analysis as written in canary-analysis or a step's `analysis:`: where the templates query,
 * their window and request floor, the judgement, and the metrics (templates or probes).
 */

const TEMPLATES = ['error-ratio', 'latency', 'app-error-ratio', 'app-latency'] as const;
const ERROR_TEMPLATES: readonly TemplateKind[] = ['error-ratio', 'app-error-ratio'];

/** 1% or 0.01: a fraction. */
const ratio = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((raw, ctx) => {
    const text = String(raw).trim();
    const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
    const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
    if (match && value <= 1) return value;
    ctx.issues.push({ code: 'custom', input: raw, message: `"${text}" is not a ratio: use 1% or 0.01` });
    return z.NEVER;
  }),
);
const factor = z.number().check(z.gt(0, 'is a factor above 0, e.g. 1.2'));
const label = z.string().check(z.regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'is not a Prometheus label name'));
const metric = z.string().check(z.regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'is not a Prometheus metric name'));

const templateEntry = z.strictObject({
  name: z.optional(z.string().check(z.trim(), z.minLength(1))),
  template: z.enum(TEMPLATES, `use one of ${TEMPLATES.join(', ')}`),
  max: z.optional(z.union([z.string(), z.number()])),
  'max-over-stable': z.optional(z.union([z.string(), z.number()])),
  'max-times-stable': z.optional(factor),
  'requests-metric': z._default(metric, 'http_requests_total'),
  'duration-metric': z._default(metric, 'http_request_duration_seconds'),
  'version-label': z._default(label, 'version'),
  'code-label': z._default(label, 'code'),
  quantile: z._default(z.number().check(z.gt(0), z.lt(1)), 0.95),
});

const analysisShape = z.strictObject({
  prometheus: z.optional(z.string()),
  window: z.optional(durationField),
  'min-requests': z.optional(wholeNumberField(0)),
  interval: z.optional(durationField),
  count: z.optional(wholeNumberField(1)),
  'initial-delay': z.optional(durationField),
  timeout: z.optional(durationField),
  'failure-limit': z.optional(failureLimitField),
  'inconclusive-limit': z.optional(wholeNumberField(0)),
  'consecutive-error-limit': z.optional(wholeNumberField(0)),
  metrics: z.optional(z.array(z.unknown())),
});
type AnalysisShape = z.output<typeof analysisShape>;

/** What an analysis step inherits from canary-analysis when it does not say. */
export type AnalysisBase = Partial<AnalysisShape>;

/**
 * `count` absent: measured until promotion (background), or 3 times (a step). A template's
 * first measurement waits one window, so the canary has had traffic to judge.
 */
export function parseAnalysis(
  raw: unknown,
  where: { input: string; label: string; background: boolean },
  base: AnalysisBase = {},
): { analysis: CanaryAnalysis; declared: AnalysisShape } {
  const declared = parseWithSchema(analysisShape, raw ?? {}, where.input, where.label);
  const merged = { ...base, ...stripUndefined(declared) };
  const problem = (message: string) => new ConfigurationError(where.input, `${where.label}: ${message}`);
  const windowMs = merged.window ?? 30_000;
  const judgement: Judgement = {
    intervalMs: merged.interval ?? 10_000,
    count: merged.count ?? (where.background ? Number.POSITIVE_INFINITY : 3),
    initialDelayMs: merged['initial-delay'] ?? windowMs,
    failureLimit: merged['failure-limit'] ?? 0,
    inconclusiveLimit: merged['inconclusive-limit'] ?? 0,
    consecutiveErrorLimit: merged['consecutive-error-limit'] ?? 4,
    timeoutMs: merged.timeout ?? 10_000,
    startTimeoutMs: 0,
    dryRun: false,
  };
  if (Number.isFinite(judgement.count))
    checkLimits(judgement, (field, message) => problem(`field "${field}": ${message}`));
  const entries = merged.metrics ?? [];
  if (entries.length === 0)
    throw problem('no metrics: give metrics, templates or probes, to judge the canary by');
  const templates: MetricTemplate[] = [];
  const probeEntries: unknown[] = [];
  const probePositions: number[] = [];
  entries.forEach((entry, at) => {
    if (entry && typeof entry === 'object' && 'template' in entry)
      templates.push(parseTemplate(entry, `${where.label}, metrics[${at}]`, where.input));
    else {
      probeEntries.push(entry);
      probePositions.push(at);
    }
  });
  const prometheus = merged.prometheus ? parsePrometheus(merged.prometheus, problem) : undefined;
  if (templates.length > 0 && !prometheus)
    throw problem('a template queries Prometheus: give prometheus (its URL, e.g. http://127.0.0.1:9090)');
  const probes =
    probeEntries.length > 0
      ? parseProbes(probeEntries, where.input, { ...judgement, count: 3 }, probePositions).map((probe) => ({
          ...probe,
          judgement: { ...probe.judgement, count: probe.count ?? judgement.count },
        }))
      : [];
  const names = [...templates.map((t) => t.name), ...probes.map((p) => p.name)];
  const twice = names.find((name, at) => names.indexOf(name) !== at);
  if (twice) throw problem(`two metrics are named "${twice}": give each its own name`);
  return {
    analysis: {
      ...(prometheus ? { prometheus } : {}),
      windowMs,
      minRequests: merged['min-requests'] ?? 20,
      templates,
      probes,
      judgement,
    },
    declared,
  };
}

function parseTemplate(entry: object, label: string, input: string): MetricTemplate {
  const declared = parseWithSchema(templateEntry, entry, input, label);
  const bounds = (['max', 'max-over-stable', 'max-times-stable'] as const).filter(
    (key) => declared[key] !== undefined,
  );
  if (bounds.length !== 1)
    throw new ConfigurationError(
      input,
      `${label}: give exactly one bound: max (absolute), max-over-stable (canary ≤ stable + it) or max-times-stable (canary ≤ stable × it)`,
    );
  const isRatio = ERROR_TEMPLATES.includes(declared.template);
  const value = (key: 'max' | 'max-over-stable') => {
    const raw = declared[key]!;
    const parsed = isRatio ? ratio.safeParse(raw) : durationField.safeParse(raw);
    if (!parsed.success)
      throw new ConfigurationError(
        input,
        `${label}, field "${key}": ${isRatio ? `"${raw}" is not a ratio: use 1% or 0.01` : `"${raw}" is not a duration: use e.g. 250ms`}`,
      );
    // Latencies are compared in seconds, as the metrics give them.
    return isRatio ? (parsed.data as number) : (parsed.data as number) / 1000;
  };
  const kind = bounds[0]!;
  const bound: TemplateBound =
    kind === 'max-times-stable'
      ? { kind, value: declared['max-times-stable']! }
      : { kind, value: value(kind) };
  const app: AppMetrics | undefined = declared.template.startsWith('app-')
    ? {
        requests: declared['requests-metric'],
        duration: declared['duration-metric'],
        versionLabel: declared['version-label'],
        codeLabel: declared['code-label'],
        quantile: declared.quantile,
      }
    : undefined;
  return {
    name: declared.name ?? `${declared.template} ${kind}`,
    template: declared.template,
    bound,
    ...(app ? { app } : {}),
  };
}

function parsePrometheus(raw: string, problem: (message: string) => ConfigurationError): URL {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url?.protocol === 'http:' || url?.protocol === 'https:') return url;
  throw problem(`field "prometheus": "${raw}" is not a valid http(s) URL (e.g. http://127.0.0.1:9090)`);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
