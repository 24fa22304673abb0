import { queryPrometheus } from '../clients/prometheus-query.ts';
import type { Probe } from '../health/probe.ts';
import type { MetricTemplate } from '../model/canary.ts';
import { judgeMetric, type MetricReading } from './judge-metric.ts';

/**
 * Who the canary and stable are, as the metrics label them: HAProxy's servers (a slot each, or
 * the hosts on each side) in a backend, and each side's version for the application's metrics.
 */
export interface TemplateSides {
  readonly haproxy?: {
    readonly backend: string;
    readonly canary: readonly string[];
    readonly stable: readonly string[];
  };
  readonly versions: { readonly canary: string; readonly stable?: string };
}

export interface TemplateProbeOptions {
  readonly prometheus: URL;
  readonly windowMs: number;
  /**
   * When the canary first got traffic, and the time now: the window never reaches back before
   * it (a slot's server counts the requests of whatever ran there before).
   */
  readonly since?: () => number | undefined;
  readonly now?: () => number;
  readonly minRequests: number;
  readonly sides: TemplateSides;
}

type Side = 'canary' | 'stable';

/** A template's queries: requests per series, and either errors per series or the value itself. */
interface TemplateQueries {
  readonly label: string;
  readonly sides: { readonly canary: readonly string[]; readonly stable: readonly string[] };
  readonly requests: string;
  readonly errors?: string;
  readonly value?: string;
}

/**
 * A template measured as a probe: per series, the requests and the errors (or the latency) in
 * one window, summed per side (an error ratio is errors over requests of the side, never an
 * average of ratios), judged by judgeMetric.
 */
export function templateProbe(template: MetricTemplate, options: TemplateProbeOptions): Probe {
  // Asked at each measurement: a canary across hosts grows between two of them.
  const sideOf = (queries: TemplateQueries, labels: Readonly<Record<string, string>>): Side | undefined => {
    const name = labels[queries.label];
    if (name === undefined) return undefined;
    if (queries.sides.canary.includes(name)) return 'canary';
    return queries.sides.stable.includes(name) ? 'stable' : undefined;
  };
  const perSide = async (
    queries: TemplateQueries,
    query: string,
    signal: AbortSignal,
    combine: (a: number, b: number) => number,
  ) => {
    const sums: Partial<Record<Side, number>> = {};
    for (const sample of await queryPrometheus({ baseUrl: options.prometheus, query, signal })) {
      const side = sideOf(queries, sample.labels);
      if (side && !Number.isNaN(sample.value))
        sums[side] = sums[side] === undefined ? sample.value : combine(sums[side]!, sample.value);
    }
    return sums;
  };
  const add = (a: number, b: number) => a + b;
  const first = templateQueries(template, options);
  return {
    name: template.name,
    type: 'template',
    target: first.value ?? first.errors!,
    async measure(signal) {
      const queries = templateQueries(template, options);
      const [requests, measured] = await Promise.all([
        perSide(queries, queries.requests, signal, add),
        queries.value
          ? perSide(queries, queries.value, signal, Math.max)
          : perSide(queries, queries.errors!, signal, add),
      ]);
      const value = (side: Side) => {
        if (queries.value) return measured[side];
        const total = requests[side];
        return total === undefined || total === 0 ? undefined : (measured[side] ?? 0) / total;
      };
      const canary = value('canary');
      const stable = value('stable');
      const reading: MetricReading = {
        ...(canary !== undefined ? { canary } : {}),
        ...(stable !== undefined ? { stable } : {}),
        canaryRequests: requests.canary ?? 0,
        stableRequests: requests.stable ?? 0,
      };
      return judgeMetric(template.template, template.bound, reading, options.minRequests);
    },
  };
}

/** The PromQL of a template, per series: requests, and errors or the value, in one window. */
export function templateQueries(template: MetricTemplate, options: TemplateProbeOptions): TemplateQueries {
  const since = options.since?.();
  const sinceMs = since === undefined || !options.now ? options.windowMs : options.now() - since;
  const window = `${Math.max(1, Math.floor(Math.min(options.windowMs, sinceMs) / 1000))}s`;
  const { sides } = options;
  if (template.app) {
    const app = template.app;
    const { canary, stable } = sides.versions;
    const which = `${app.versionLabel}=~"${[canary, ...(stable ? [stable] : [])].map(regexLiteral).join('|')}"`;
    const by = app.versionLabel;
    return {
      label: by,
      sides: { canary: [canary], stable: stable ? [stable] : [] },
      requests: `sum by (${by}) (increase(${app.requests}{${which}}[${window}]))`,
      ...(template.template === 'app-latency'
        ? {
            value: `histogram_quantile(${app.quantile}, sum by (${by}, le) (rate(${app.duration}_bucket{${which}}[${window}])))`,
          }
        : {
            errors: `sum by (${by}) (increase(${app.requests}{${which},${app.codeLabel}=~"5.."}[${window}]))`,
          }),
    };
  }
  if (!sides.haproxy)
    throw new Error(`template ${template.template} reads HAProxy's exporter, and traffic is not haproxy`);
  const { backend, canary, stable } = sides.haproxy;
  const which = `proxy="${labelLiteral(backend)}",server=~"${[...canary, ...stable].map(regexLiteral).join('|')}"`;
  return {
    label: 'server',
    sides: { canary, stable },
    requests: `sum by (server) (increase(haproxy_server_http_responses_total{${which}}[${window}]))`,
    ...(template.template === 'latency'
      ? { value: `max by (server) (haproxy_server_response_time_average_seconds{${which}})` }
      : {
          errors: `sum by (server) (increase(haproxy_server_http_responses_total{${which},code="5xx"}[${window}]))`,
        }),
  };
}

/** A value inside a PromQL double-quoted string. */
function labelLiteral(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** A value matched literally inside a PromQL regex (RE2), itself inside a double-quoted string. */
function regexLiteral(value: string): string {
  return labelLiteral(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
