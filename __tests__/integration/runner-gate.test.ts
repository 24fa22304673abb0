import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clients/system-clock.ts';
import { parseRunnerGateSettings } from '../../src/settings/runner-gate.ts';
import { runRunnerGate } from '../../src/steps/runner-gate.ts';
import {
  type MetricsEndpoint,
  type PrometheusServer,
  startMetricsEndpoint,
  startPrometheus,
} from '../fixtures/prometheus.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';
import { freePort } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

const runnerMetrics = (runner: string, status: number, cpu: number, memory = 40) =>
  `# TYPE runner_status gauge\nrunner_status{runner="${runner}",role="x"} ${status}\n` +
  `# TYPE runner_cpu_usage_percent gauge\nrunner_cpu_usage_percent{runner="${runner}",role="x"} ${cpu}\n` +
  `# TYPE runner_memory_usage_percent gauge\nrunner_memory_usage_percent{runner="${runner}",role="x"} ${memory}\n`;

const CANDIDATES =
  '- { name: primary, labels: [self-hosted, linux, primary] }\n- { name: secondary, labels: [self-hosted, linux, secondary] }';

/** Asks the gate until `until` holds (Prometheus scrapes every second), at most 10 s. */
async function gateUntil(
  inputs: Record<string, string>,
  until: (decision: Awaited<ReturnType<typeof gate>>['decision']) => boolean,
) {
  const started = systemClock.now();
  let result = await gate(inputs);
  while (!until(result.decision) && systemClock.now() - started < 10_000) {
    await systemClock.sleep(100);
    result = await gate(inputs);
  }
  return result.decision;
}

async function gate(inputs: Record<string, string>) {
  const { logger, lines } = recordingLogger();
  const decision = await runRunnerGate(
    parseRunnerGateSettings({
      candidates: CANDIDATES,
      'query-retries': '0',
      'query-timeout': '1s',
      ...inputs,
    }),
    { logger },
  );
  return { decision, lines };
}

describe('runner-health-gate against a real Prometheus (1 s scrapes)', () => {
  let primary: MetricsEndpoint;
  let secondary: MetricsEndpoint;
  let prometheus: PrometheusServer;
  before(async () => {
    primary = await startMetricsEndpoint(runnerMetrics('primary', 1, 20));
    secondary = await startMetricsEndpoint(runnerMetrics('secondary', 1, 30));
    prometheus = await startPrometheus([primary.url, secondary.url]);
  });
  after(async () => {
    await prometheus?.close();
    await primary?.close();
    await secondary?.close();
  });

  it('T022: picks the healthy primary, with every value read', async () => {
    const { decision } = await gate({ 'prometheus-url': prometheus.url });
    assert.equal(decision.runner, 'primary');
    assert.deepEqual(decision.labels, ['self-hosted', 'linux', 'primary']);
    assert.deepEqual(
      decision.candidates[0]!.facts.map((f) => [
        f.check,
        f.state,
        f.reading.kind === 'values' ? f.reading.values : null,
      ]),
      [
        ['online', 'ok', [1]],
        ['cpu', 'ok', [20]],
        ['memory', 'ok', [40]],
      ],
    );
  });

  it('T023: fails over to the secondary when the primary reports runner_status 0; measures how fast', async () => {
    const started = systemClock.now();
    primary.set(runnerMetrics('primary', 0, 20));
    let decision = (await gate({ 'prometheus-url': prometheus.url })).decision;
    while (decision.runner !== 'secondary' && systemClock.now() - started < 30_000) {
      await systemClock.sleep(100);
      decision = (await gate({ 'prometheus-url': prometheus.url })).decision;
    }
    const latency = systemClock.now() - started;
    console.log(
      `failover latency (runner_status 0 → gate picks secondary): ${Math.round(latency)} ms (scrape interval 1 s; seed bar 30 s)`,
    );
    assert.equal(decision.runner, 'secondary');
    assert.ok(latency <= 30_000);
    primary.set(runnerMetrics('primary', 1, 20));
    assert.equal(
      (await gateUntil({ 'prometheus-url': prometheus.url }, (d) => d.runner === 'primary')).runner,
      'primary',
    );
  });

  it('a busy primary (CPU over the limit) is skipped with its value in the reason', async () => {
    primary.set(runnerMetrics('primary', 1, 97));
    const decision = await gateUntil({ 'prometheus-url': prometheus.url }, (d) => /cpu 97/.test(d.reason));
    assert.equal(decision.runner, 'secondary');
    assert.match(decision.reason, /skipped primary unhealthy \(cpu 97 is not < 90\)/);
    primary.set(runnerMetrics('primary', 1, 20));
    assert.equal(
      (await gateUntil({ 'prometheus-url': prometheus.url }, (d) => d.runner === 'primary')).runner,
      'primary',
    );
  });

  it('a query with no series is unknown, never healthy', async () => {
    const { decision } = await gate({
      'prometheus-url': prometheus.url,
      'extra-checks':
        '- { name: disk, query: \'runner_disk_usage_percent{runner="{runner}"}\', expect: "< 90" }',
    });
    assert.equal(decision.runner, undefined);
    assert.match(decision.reason, /disk: no series \(unknown\)/);
  });

  it("invalid PromQL surfaces Prometheus's own 400 message", async () => {
    const { decision } = await gate({
      'prometheus-url': prometheus.url,
      'extra-checks': '- { name: broken, query: "sum(", expect: "< 1" }',
    });
    assert.equal(decision.runner, undefined);
    assert.match(decision.reason, /broken: .*Prometheus refused the query \(bad_data\): .*parse error/);
  });

  it('the action from dist/: outputs runner and a runs-on label array, summary with every value', async () => {
    const step = await runStep('runner-health-gate', {
      with: { 'prometheus-url': prometheus.url, candidates: CANDIDATES },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.runner, 'primary');
    assert.deepEqual(JSON.parse(step.outputs['runs-on']!), ['self-hosted', 'linux', 'primary']);
    assert.match(step.summary, /### ✅ Runner gate: primary/);
    assert.match(
      step.summary,
      /\| ✅ primary \| cpu \| 20 \| &lt; 90 \| ✅ ok \|/,
      'HTML-escaped, as GitHub renders it',
    );
  });
});

describe('runner-health-gate: scraping the exporters directly (no Prometheus)', () => {
  it("reads each candidate's /metrics; an exporter that is down fails over", async () => {
    const secondary = await startMetricsEndpoint(runnerMetrics('secondary', 1, 10));
    const gone = await freePort();
    try {
      const candidates = `- { name: primary, metrics-url: "http://127.0.0.1:${gone}/metrics" }\n- { name: secondary, metrics-url: "${secondary.url}" }`;
      const { decision } = await gate({ candidates });
      assert.equal(decision.runner, 'secondary');
      assert.deepEqual(decision.labels, ['self-hosted', 'secondary']);
      assert.match(decision.reason, /primary unreadable \(online: 127\.0\.0\.1:\d+: connection refused/);
    } finally {
      await secondary.close();
    }
  });
});

describe('runner-health-gate: an exporter that answers garbage', () => {
  it('is unreadable, and its answer (a token in it) is never quoted in the decision or the log', async () => {
    const garbage = await startMetricsEndpoint('runner_status{url="/auth?token=s3cr3t-t0ken" 1\n');
    const secondary = await startMetricsEndpoint(runnerMetrics('secondary', 1, 10));
    try {
      const candidates = `- { name: primary, metrics-url: "${garbage.url}" }\n- { name: secondary, metrics-url: "${secondary.url}" }`;
      const { decision, lines } = await gate({ candidates });
      assert.equal(decision.runner, 'secondary');
      assert.match(
        decision.reason,
        /primary unreadable \(online: 127\.0\.0\.1:\d+: its answer is not Prometheus text format/,
      );
      assert.doesNotMatch(`${JSON.stringify(decision)}\n${lines.join('\n')}`, /s3cr3t/);
    } finally {
      await garbage.close();
      await secondary.close();
    }
  });
});

describe('runner-health-gate faults: every case a clear decision', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/hang/')) return;
      if (req.url?.startsWith('/500/')) {
        res.writeHead(500);
        return res.end('oops');
      }
      if (req.url?.startsWith('/html/')) return res.end('<html>proxy login</html>');
      if (req.url?.startsWith('/nan/'))
        return res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] },
          }),
        );
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('Prometheus stopped, hanging, 500 or non-JSON: fails closed, naming the problem', async () => {
    const stopped = `http://127.0.0.1:${await freePort()}`;
    const cases: [string, RegExp][] = [
      [stopped, /connection refused/],
      [`${base}/hang/`, /aborted/],
      [`${base}/500/`, /answered 500 with a body that is not JSON/],
      [`${base}/html/`, /answered 200 with a body that is not JSON/],
    ];
    for (const [url, reason] of cases) {
      const { decision } = await gate({ 'prometheus-url': url, 'query-timeout': '300ms' });
      assert.equal(decision.runner, undefined, url);
      assert.match(decision.reason, /^no healthy runner: primary unreadable \(/);
      assert.match(decision.reason, reason);
    }
  });

  it('…unless on-metrics-error is allow: then the primary, with a warning', async () => {
    const stopped = `http://127.0.0.1:${await freePort()}`;
    const { decision, lines } = await gate({ 'prometheus-url': stopped, 'on-metrics-error': 'allow' });
    assert.equal(decision.runner, 'primary');
    assert.ok(
      lines.some((line) =>
        /^warning no candidate is proven healthy; primary chosen without readable metrics/.test(line),
      ),
    );
  });

  it('an empty result or NaN is unknown: fails closed', async () => {
    for (const path of ['/empty/', '/nan/']) {
      const { decision } = await gate({ 'prometheus-url': `${base}${path}` });
      assert.equal(decision.runner, undefined);
      assert.match(decision.reason, /unknown/);
    }
  });
});

describe('runner-health-gate: bad input names the input', () => {
  const rejects = (inputs: Record<string, string>, pattern: RegExp) =>
    assert.throws(
      () => parseRunnerGateSettings({ candidates: CANDIDATES, 'prometheus-url': 'http://p:9090', ...inputs }),
      pattern,
    );

  it('an unknown candidate in the order, a threshold that is not a number, no metrics source', () => {
    rejects(
      { order: 'secondary,tertiary' },
      /Input "order": "tertiary" is not a candidate \(candidates: primary, secondary\)/,
    );
    rejects({ 'max-cpu-percent': 'lots' }, /Input "max-cpu-percent": "lots" is not a number from 0 to 100/);
    rejects(
      { 'extra-checks': '- { name: x, query: up, expect: "90" }' },
      /Input "extra-checks": check 1, field "expect": "90" is not a comparison/,
    );
    rejects({ 'on-metrics-error': 'ignore' }, /Input "on-metrics-error": use fail or allow/);
    assert.throws(
      () => parseRunnerGateSettings({ candidates: CANDIDATES }),
      /Input "prometheus-url": is required: candidate "primary" has no metrics-url/,
    );
  });

  it('reorders candidates as asked', () => {
    const settings = parseRunnerGateSettings({
      candidates: CANDIDATES,
      'prometheus-url': 'http://p:9090',
      order: 'secondary,primary',
    });
    assert.deepEqual(
      settings.candidates.map((c) => c.name),
      ['secondary', 'primary'],
    );
  });
});
