import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { measure, probeFromYaml } from '../fixtures/probes.ts';
import { freePort, startTestService, type TestService } from '../fixtures/test-service.ts';

describe('HTTP probe against real servers on 127.0.0.1', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  const http = (pathAndQuery: string, extra = '') =>
    probeFromYaml(`- name: web\n  type: http\n  url: ${service.url}${pathAndQuery}\n${extra}`);

  it('healthy: status and JSON path (the seed /actuator/health UP check)', async () => {
    const outcome = await measure(
      http('/actuator/health', '  expect: { status: 200, json: { path: $.status, equals: UP } }\n'),
    );
    assert.deepEqual(
      { ...outcome, latencyMs: undefined },
      {
        phase: 'successful',
        value: 200,
        reason: 'status 200, $.status = "UP"',
        latencyMs: undefined,
      },
    );
  });

  it('failing: a 503 is a failed measurement with the status in the reason', async () => {
    const outcome = await measure(http('/failing'));
    assert.equal((outcome as { phase: string }).phase, 'failed');
    assert.equal((outcome as { reason: string }).reason, 'status 503, expected 2xx');
  });

  it('fail-when: a 5xx fails, a 404 (neither 2xx nor 5xx) is inconclusive, a 200 succeeds', async () => {
    const failWhen = '  fail-when: { status: 5xx }\n';
    const outcomes = await Promise.all(
      ['/healthy', '/failing', '/no-such-page'].map((where) => measure(http(where, failWhen))),
    );
    assert.deepEqual(
      outcomes.map((o) => [(o as { phase: string }).phase, (o as { reason: string }).reason]),
      [
        ['successful', 'status 200'],
        ['failed', 'fail-when holds: status 503'],
        ['inconclusive', 'status 404, expected 2xx, and fail-when does not hold'],
      ],
    );
  });

  it('fail-when on a JSON path: DOWN fails, anything but UP or DOWN is inconclusive', async () => {
    const conditions =
      '  expect: { json: { path: $.status, equals: UP } }\n  fail-when: { json: { path: $.status, equals: DOWN } }\n';
    const [up, down] = await Promise.all([
      measure(http('/healthy', conditions)),
      measure(http('/failing', conditions)),
    ]);
    assert.equal((up as { phase: string }).phase, 'successful');
    // /failing answers 503 with {"status":"DOWN"}: the failure condition reads the body whatever the status.
    assert.equal((down as { reason: string }).reason, 'fail-when holds: status 503, $.status = "DOWN"');
    const starting = await measure(http('/echo', conditions));
    assert.equal((starting as { phase: string }).phase, 'inconclusive');
  });

  it('a JSON value that differs fails with both values', async () => {
    const outcome = await measure(
      http('/healthy', '  expect: { json: { path: $.components.db.status, equals: DOWN } }\n'),
    );
    assert.equal((outcome as { reason: string }).reason, '$.components.db.status is "UP", expected "DOWN"');
  });

  it('a missing JSON path fails rather than matching undefined', async () => {
    const outcome = await measure(
      http('/healthy', '  expect: { json: { path: $.version, matches: ".*" } }\n'),
    );
    assert.equal((outcome as { reason: string }).reason, '$.version is missing from the response');
  });

  it('flapping: alternate measurements succeed and fail', async () => {
    const probe = http('/flapping');
    const phases = [];
    for (let i = 0; i < 4; i++) phases.push(((await measure(probe)) as { phase: string }).phase);
    assert.deepEqual(phases, ['successful', 'failed', 'successful', 'failed']);
  });

  it('slow: over max-latency is a failed measurement', async () => {
    const outcome = await measure(http('/slow?ms=250', '  expect: { max-latency: 100ms }\n'));
    assert.equal((outcome as { phase: string }).phase, 'failed');
    assert.match((outcome as { reason: string }).reason, /^slow: \d+ ms, over the 100 ms allowed$/);
  });

  it('hanging: the request is aborted when the measurement is, and the server sees it go', async () => {
    const before = service.abandoned.get('/hang') ?? 0;
    const outcome = await measure(http('/hang'), 200);
    assert.match((outcome as { error: string }).error, /aborted/);
    for (let i = 0; i < 50 && (service.abandoned.get('/hang') ?? 0) === before; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(service.abandoned.get('/hang'), before + 1);
  });

  it('resetting connections: an error (could not measure), not a failure', async () => {
    const outcome = await measure(http('/reset'));
    assert.match(
      (outcome as { error: string }).error,
      /^(connection reset by the server|socket hang up) \(127\.0\.0\.1:\d+\)$/,
    );
  });

  it('garbage JSON: the service answered wrongly, so the measurement failed', async () => {
    const outcome = await measure(http('/garbage', '  expect: { json: { path: $.status, equals: UP } }\n'));
    assert.equal((outcome as { phase: string }).phase, 'failed');
    assert.match(
      (outcome as { reason: string }).reason,
      /^body is not JSON: "\{\\"status\\": \\"UP\\", oops"$/,
    );
  });

  it('body regex, status lists and methods', async () => {
    assert.equal(
      ((await measure(http('/healthy', '  expect: { body: "\\"UP\\"" }\n'))) as { phase: string }).phase,
      'successful',
    );
    assert.equal(
      ((await measure(http('/status/204', '  expect: { status: [200, 204] }\n'))) as { phase: string }).phase,
      'successful',
    );
    assert.equal(
      ((await measure(http('/status/301'))) as { reason: string }).reason,
      'status 301, expected 2xx',
    );
    assert.equal(
      ((await measure(http('/healthy', '  method: HEAD\n'))) as { phase: string }).phase,
      'successful',
    );
  });

  it('connection refused is an error naming the address', async () => {
    const port = await freePort();
    const outcome = await measure(
      probeFromYaml(`- { name: gone, type: http, url: "http://127.0.0.1:${port}/" }`),
    );
    assert.equal(
      (outcome as { error: string }).error,
      `connection refused: nothing listens there (127.0.0.1:${port})`,
    );
  });

  it('DNS failure is an error', async () => {
    const outcome = await measure(
      probeFromYaml('- { name: dns, type: http, url: "http://no-such-host.invalid/" }'),
    );
    assert.match(
      (outcome as { error: string }).error,
      /^(host not found \(DNS\)|DNS lookup failed temporarily) \(no-such-host\.invalid\)$/,
    );
  });
});

describe('HTTP probe and TLS', () => {
  let server: https.Server;
  let url: string;
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      {
        stdio: 'ignore',
      },
    );
    server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) =>
      res.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('verifies certificates by default: a self-signed one is an error that says how to accept it', async () => {
    const outcome = await measure(probeFromYaml(`- { name: tls, type: http, url: "${url}" }`));
    assert.match(
      (outcome as { error: string }).error,
      /^TLS: self-signed certificate \(set tls-verify: false to accept it\)/,
    );
  });

  it('accepts it when tls-verify is false for that probe', async () => {
    const outcome = await measure(
      probeFromYaml(`- { name: tls, type: http, url: "${url}", tls-verify: false }`),
    );
    assert.equal((outcome as { phase: string }).phase, 'successful');
  });
});
