import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { measure, probeFromYaml } from '../fixtures/probes.ts';
import {
  type MetricsEndpoint,
  type PrometheusServer,
  startMetricsEndpoint,
  startPrometheus,
} from '../fixtures/prometheus.ts';

const NODE_METRICS = `# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{mountpoint="/"} 25
# TYPE node_filesystem_size_bytes gauge
node_filesystem_size_bytes{mountpoint="/"} 100
# TYPE node_memory_MemAvailable_bytes gauge
node_memory_MemAvailable_bytes 2
# TYPE node_memory_MemTotal_bytes gauge
node_memory_MemTotal_bytes 100
`;

describe('PromQL probe against a real Prometheus', () => {
  let exporter: MetricsEndpoint;
  let prometheus: PrometheusServer;
  before(async () => {
    exporter = await startMetricsEndpoint(NODE_METRICS);
    prometheus = await startPrometheus([exporter.url]);
  });
  after(async () => {
    await prometheus?.close();
    await exporter?.close();
  });

  const promql = (query: string, value: string) =>
    probeFromYaml(
      `- name: q\n  type: promql\n  prometheus: ${prometheus.url}\n  query: ${JSON.stringify(query)}\n  expect: { value: "${value}" }\n`,
    );
  const DISK = 'max(100 * (1 - node_filesystem_avail_bytes / node_filesystem_size_bytes))';
  const MEMORY = 'max(100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes))';

  it('seed example: disk below 90 % passes at 75 %', async () => {
    assert.deepEqual(await measure(promql(DISK, '< 90')), {
      phase: 'successful',
      value: 75,
      reason: 'value 75 < 90',
    });
  });

  it('seed example: memory below 95 % fails at 98 %', async () => {
    assert.deepEqual(await measure(promql(MEMORY, '< 95')), {
      phase: 'failed',
      value: 98,
      reason: 'value 98 is not < 95',
    });
  });

  it("fail-when (Argo's failureCondition): between the two conditions a value is inconclusive", async () => {
    const both = (query: string) =>
      probeFromYaml(
        `- name: q\n  type: promql\n  prometheus: ${prometheus.url}\n  query: ${JSON.stringify(query)}\n  expect: { value: "< 50" }\n  fail-when: { value: ">= 90" }\n`,
      );
    assert.deepEqual(await measure(both(DISK)), {
      phase: 'inconclusive',
      value: 75,
      reason: 'value 75 is not < 50, and fail-when does not hold',
    });
    assert.deepEqual(await measure(both(MEMORY)), {
      phase: 'failed',
      value: 98,
      reason: 'fail-when holds: value 98 >= 90',
    });
  });

  it('judges every series and names the one that fails', async () => {
    const outcome = await measure(promql('{__name__=~"node_filesystem_.+_bytes"}', '< 50'));
    assert.equal((outcome as { phase: string }).phase, 'failed');
    assert.match(
      (outcome as { reason: string }).reason,
      /^value 100 \{__name__="node_filesystem_size_bytes", .*mountpoint="\/".*\} is not < 50$/,
    );
  });

  it('no series is unknown, never healthy', async () => {
    const outcome = await measure(promql('node_does_not_exist', '< 90'));
    assert.equal((outcome as { error: string }).error, 'the query returned no series: the value is unknown');
  });

  it('NaN is unknown, never healthy', async () => {
    const outcome = await measure(promql('0/0', '!= 1'));
    assert.equal((outcome as { error: string }).error, 'the query returned NaN: the value is unknown');
  });

  it("invalid PromQL surfaces Prometheus's own message", async () => {
    const outcome = await measure(promql('sum(', '< 1'));
    assert.match(
      (outcome as { error: string }).error,
      /^Prometheus refused the query \(bad_data\): .*parse error/,
    );
  });

  it('a range query is refused with a reason', async () => {
    const outcome = await measure(promql('up[1m]', '< 1'));
    assert.equal(
      (outcome as { error: string }).error,
      'the query returns a matrix; a health check needs an instant vector or scalar',
    );
  });
});

describe('PromQL probe against a broken metrics source', () => {
  let server: http.Server;
  let url: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/500/')) {
        res.writeHead(500);
        return res.end('internal error');
      }
      if (req.url?.startsWith('/html/')) return res.end('<html>login</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a 500 or a non-JSON page is an error, never a value', async () => {
    for (const base of ['500', 'html']) {
      const probe = probeFromYaml(
        `- { name: q, type: promql, prometheus: "${url}/${base}/", query: up, expect: { value: "== 1" } }`,
      );
      const outcome = await measure(probe);
      assert.match((outcome as { error: string }).error, /answered (500|200) with a body that is not JSON/);
    }
  });
});
