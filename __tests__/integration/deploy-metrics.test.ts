import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { type PrometheusServer, startPushgateway } from '../fixtures/prometheus.ts';
import { freePort, startTestService, type TestService } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

const SECRET = 'metric-secret-5d8a1c';

describe('deploy metrics pushed to a real Pushgateway', () => {
  let pushgateway: PrometheusServer;
  let service: TestService;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'metrics-'));
  before(async () => {
    pushgateway = await startPushgateway();
    service = await startTestService();
  });
  after(async () => {
    await pushgateway?.close();
    await service?.close();
  });

  const deploy = (version: string, extra: Record<string, string> = {}) =>
    runStep('deploy', {
      with: {
        environment: 'production',
        version,
        command: 'true',
        'state-dir': stateDir,
        'pushgateway-url': pushgateway.url,
        'retry-wait': '50ms',
        ...extra,
      },
    });

  async function pushed() {
    const families = parsePrometheusTextFormat(await (await fetch(`${pushgateway.url}/metrics`)).text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      families
        .find((f) => f.name === name)
        ?.metrics.find((m) =>
          Object.entries({ job: 'deploy-actions', environment: 'production', ...labels }).every(
            ([k, v]) => m.labels?.[k] === v,
          ),
        )?.value;
    return { value, text: JSON.stringify(families) };
  }

  it('counts results across deploys (read back and added to), times the last one, stamps the last success', async () => {
    const before = Date.now() / 1000;
    assert.equal((await deploy('v1.0.0')).outputs.result, 'deployed');
    assert.equal((await deploy('v1.1.0')).outputs.result, 'deployed');
    const failing = await deploy('v1.2.0', {
      'verify-probes': `- { name: api, type: http, url: "${service.url}/failing", headers: { Authorization: "Bearer ${SECRET}" } }`,
    });
    assert.equal(failing.outputs.result, 'failed');
    const rollback = await runStep('rollback', {
      with: {
        environment: 'production',
        command: 'true',
        'state-dir': stateDir,
        'pushgateway-url': pushgateway.url,
      },
    });
    assert.equal(rollback.outputs.result, 'rolled-back', rollback.log);
    const { value, text } = await pushed();
    assert.equal(value('deployments_total', { result: 'deployed' }), '2');
    assert.equal(value('deployments_total', { result: 'failed' }), '1');
    assert.equal(value('rollbacks_total', { result: 'rolled-back' }), '1');
    assert.equal(value('health_check_failures_total', { probe: 'api' }), '1');
    assert.ok(Number(value('last_successful_deploy_timestamp_seconds')) >= Math.floor(before));
    const raw = await (await fetch(`${pushgateway.url}/metrics`)).text();
    const counts = raw.split('\n').filter((line) => line.startsWith('deploy_duration_seconds_count{'));
    assert.equal(counts.length, 1, "the last deploy's duration, kept through the rollback's push");
    assert.match(counts[0]!, /environment="production".*result="failed"\} 1$/);
    assert.ok(!text.includes(SECRET), 'a secret reached a metric');
  });

  it('a Pushgateway that cannot be reached is a warning, never a failed deploy', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const step = await runStep('deploy', {
      with: {
        environment: 'staging',
        version: 'v1.0.0',
        command: 'true',
        'state-dir': stateDir,
        'pushgateway-url': gone,
      },
    });
    assert.equal(step.outcome, 'success');
    assert.equal(step.outputs.result, 'deployed');
    assert.ok(
      step.commands.some(
        (c) =>
          c.name === 'warning' &&
          /Could not push metrics to the Pushgateway at 127\.0\.0\.1:\d+: connection refused/.test(c.message),
      ),
    );
  });
});
