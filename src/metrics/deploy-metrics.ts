import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client';
import { sendHttpRequest } from '../clients/http-request.ts';
import type { ReleaseKind } from '../ports.ts';

/** The metric names the alert rules and the dashboard are written against. */
export const DEPLOY_METRICS = {
  duration: 'deploy_duration_seconds',
  total: 'deployments_total',
  rollbacks: 'rollbacks_total',
  healthFailures: 'health_check_failures_total',
  lastSuccess: 'last_successful_deploy_timestamp_seconds',
} as const;

export const PUSH_JOB = 'deploy-actions';

/** One finished deploy or rollback, as the metrics see it. Labels are names and results, never values from secrets. */
export interface DeployEvent {
  readonly environment: string;
  readonly kind: ReleaseKind;
  readonly result: string;
  readonly durationSeconds: number;
  /** Verification probes that failed. */
  readonly failedProbes: readonly string[];
  readonly finishedAt: number;
}

/**
 * Pushes a deploy's metrics to a Pushgateway, grouped by job and environment. The Pushgateway
 * keeps only the last push of a group, so counters are read back and added to (safe: deploys to
 * one environment hold its lock), and the histogram's buckets likewise.
 */
export async function pushDeployMetrics(
  pushgatewayUrl: URL,
  event: DeployEvent,
  signal?: AbortSignal,
): Promise<void> {
  const previous = await readGroup(pushgatewayUrl, event.environment, signal);
  const registry = new Registry();
  const carried = (name: string, labels: Record<string, string>) => previous.get(key(name, labels)) ?? 0;

  const total = new Counter({
    name: DEPLOY_METRICS.total,
    help: 'Deployments by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  const rollbacks = new Counter({
    name: DEPLOY_METRICS.rollbacks,
    help: 'Rollbacks by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  const failures = new Counter({
    name: DEPLOY_METRICS.healthFailures,
    help: 'Health checks failed during deploy verification, by probe.',
    labelNames: ['probe'],
    registers: [registry],
  });
  for (const [name, counter, label] of [
    [DEPLOY_METRICS.total, total, 'result'],
    [DEPLOY_METRICS.rollbacks, rollbacks, 'result'],
    [DEPLOY_METRICS.healthFailures, failures, 'probe'],
  ] as const) {
    for (const [id, value] of previous) {
      const [metric, labelValue] = id.split('|');
      if (metric === name && labelValue) (counter as Counter<string>).inc({ [label]: labelValue }, value);
    }
  }
  (event.kind === 'rollback' ? rollbacks : total).inc({ result: event.result });
  for (const probe of event.failedProbes) failures.inc({ probe });

  // Only a deploy pushes its duration: a rollback's push must not replace the last deploy's.
  if (event.kind === 'deploy') {
    const duration = new Histogram({
      name: DEPLOY_METRICS.duration,
      help: 'Duration of the last deploy, in seconds.',
      labelNames: ['result'],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200],
      registers: [registry],
    });
    duration.observe({ result: event.result }, event.durationSeconds);
  }
  const lastSuccess = new Gauge({
    name: DEPLOY_METRICS.lastSuccess,
    help: 'When the last successful deploy finished (unix seconds).',
    registers: [registry],
  });
  const previousSuccess = carried(DEPLOY_METRICS.lastSuccess, {});
  // A promotion ends a deploy that paused before its switch: the deploy succeeds when it does.
  const succeeded = ['deployed', 'unchanged', 'promoted'].includes(event.result) && event.kind !== 'rollback';
  if (succeeded) lastSuccess.set(event.finishedAt / 1000);
  else if (previousSuccess) lastSuccess.set(previousSuccess);

  const gateway = new Pushgateway(pushgatewayUrl.href.replace(/\/$/, ''), { timeout: 10_000 }, registry);
  await gateway.pushAdd({ jobName: PUSH_JOB, groupings: { environment: event.environment } });
}

function key(name: string, labels: Record<string, string>): string {
  const value = Object.values(labels)[0];
  return value === undefined ? name : `${name}|${value}`;
}

/** The counters and gauges last pushed for this environment's group, by `name|label`. */
async function readGroup(
  pushgatewayUrl: URL,
  environment: string,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const response = await sendHttpRequest({
    url: new URL('metrics', pushgatewayUrl.href.endsWith('/') ? pushgatewayUrl : `${pushgatewayUrl.href}/`),
    method: 'GET',
    headers: {},
    tlsVerify: true,
    signal: AbortSignal.any([AbortSignal.timeout(10_000), ...(signal ? [signal] : [])]),
  });
  if (response.status !== 200) throw new Error(`the Pushgateway answered ${response.status}`);
  const values = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(response.body)) {
    if (
      !Object.values(DEPLOY_METRICS).includes(family.name as never) ||
      family.name === DEPLOY_METRICS.duration
    )
      continue;
    for (const sample of family.metrics) {
      const labels = sample.labels ?? {};
      if (labels.job !== PUSH_JOB || labels.environment !== environment) continue;
      const own = labels.result ?? labels.probe;
      values.set(own === undefined ? family.name : `${family.name}|${own}`, Number(sample.value));
    }
  }
  return values;
}
