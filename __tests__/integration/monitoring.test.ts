import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEPLOY_METRICS, pushDeployMetrics } from '../../src/metrics/deploy-metrics.ts';
import {
  type MetricsEndpoint,
  type PrometheusServer,
  requireBinary,
  startMetricsEndpoint,
  startPrometheus,
  startPushgateway,
} from '../fixtures/prometheus.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const MONITORING = path.join(REPO_ROOT, 'monitoring');

describe('alert rules (promtool)', () => {
  it('are valid, and each of the seven fires and stays quiet when it should', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const check = execFileSync(promtool, ['check', 'rules', 'alerts.yml'], {
      cwd: MONITORING,
      encoding: 'utf8',
    });
    assert.match(check, /SUCCESS: 7 rules found/);
    const test = execFileSync(promtool, ['test', 'rules', 'alerts.test.yml'], {
      cwd: MONITORING,
      encoding: 'utf8',
    });
    assert.match(test, /SUCCESS/);
  });

  it('test every alert the rules define, both ways', () => {
    const rules = readFileSync(path.join(MONITORING, 'alerts.yml'), 'utf8');
    const tests = readFileSync(path.join(MONITORING, 'alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    assert.deepEqual(alerts.sort(), [
      'BothRunnersOffline',
      'DeploymentDurationHigh',
      'DeploymentFailureRateHigh',
      'RunnerDegradedHighCPU',
      'RunnerDegradedHighMemory',
      'RunnerOfflinePrimary',
      'RunnerOfflineSecondary',
    ]);
    for (const alert of alerts) {
      const cases = tests
        .split(`alertname: ${alert}\n`)
        .slice(1)
        .map((rest) => rest.trimStart().startsWith('exp_alerts: []'));
      assert.ok(cases.includes(true) && cases.includes(false), `${alert} lacks a firing or a quiet case`);
    }
  });
});

describe('Grafana dashboard against a real Prometheus', () => {
  let exporter: MetricsEndpoint;
  let pushgateway: PrometheusServer;
  let prometheus: PrometheusServer;
  before(async () => {
    exporter = await startMetricsEndpoint(
      [
        'runner_status',
        'runner_cpu_usage_percent',
        'runner_memory_usage_percent',
        'runner_disk_usage_percent',
      ]
        .map((name) => `# TYPE ${name} gauge\n${name}{runner="primary",role="primary"} 1`)
        .join('\n'),
    );
    pushgateway = await startPushgateway();
    const now = Date.now();
    await pushDeployMetrics(new URL(pushgateway.url), {
      environment: 'production',
      kind: 'deploy',
      result: 'failed',
      durationSeconds: 12,
      failedProbes: ['api'],
      finishedAt: now,
    });
    await pushDeployMetrics(new URL(pushgateway.url), {
      environment: 'production',
      kind: 'rollback',
      result: 'rolled-back',
      durationSeconds: 3,
      failedProbes: [],
      finishedAt: now,
    });
    await pushDeployMetrics(new URL(pushgateway.url), {
      environment: 'production',
      kind: 'deploy',
      result: 'deployed',
      durationSeconds: 8,
      failedProbes: [],
      finishedAt: now,
    });
    prometheus = await startPrometheus([exporter.url, `${pushgateway.url}/metrics`], { honorLabels: true });
  });
  after(async () => {
    await prometheus?.close();
    await pushgateway?.close();
    await exporter?.close();
  });

  it("every panel's query parses and names only metrics that exist", async () => {
    const dashboard = JSON.parse(readFileSync(path.join(MONITORING, 'grafana-dashboard.json'), 'utf8'));
    const names = (
      (await (await fetch(`${prometheus.url}/api/v1/label/__name__/values`)).json()) as { data: string[] }
    ).data;
    const exprs: string[] = dashboard.panels.flatMap((panel: { targets: { expr: string }[] }) =>
      panel.targets.map((t) => t.expr),
    );
    assert.ok(exprs.length >= 9);
    const known = [
      ...Object.values(DEPLOY_METRICS),
      'runner_status',
      'runner_cpu_usage_percent',
      'runner_memory_usage_percent',
      'runner_disk_usage_percent',
    ];
    for (const expr of exprs) {
      const response = (await (
        await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`)
      ).json()) as {
        status: string;
        data: { result: unknown[] };
        error?: string;
      };
      assert.equal(response.status, 'success', `${expr}: ${response.error}`);
      const referenced = [
        ...expr.matchAll(/\b(runner_\w+|deploy\w*|rollbacks_\w+|health_check_\w+|last_successful_\w+)\b/g),
      ].map((m) => m[1]!);
      assert.ok(referenced.length > 0, `${expr} names no metric`);
      for (const name of referenced) {
        const family = known.find((k) => name === k || name.startsWith(`${k}_`));
        assert.ok(family, `${expr} names ${name}, which no component emits`);
        assert.ok(names.includes(name), `${name} is not in Prometheus`);
      }
      // A rate over a range needs two scrapes; anything else must already show data.
      if (!expr.includes('[')) assert.ok(response.data.result.length > 0, `${expr} returned nothing`);
    }
  });
});
