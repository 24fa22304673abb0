import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compareVersions } from '../../src/preflight/run-check.ts';
import { parsePreflightSettings } from '../../src/settings/preflight.ts';
import { freePort, startTcpListener, startTestService, type TestService } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

const SECRET_VALUE = 'ssh-key-value-7c1e90';

describe('preflight action (run from dist/ through the runner harness)', () => {
  let service: TestService;
  let registry: http.Server;
  let registryUrl: string;
  let listener: Awaited<ReturnType<typeof startTcpListener>>;
  const dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
  const artifact = path.join(dir, 'shop.tar.gz');
  before(async () => {
    service = await startTestService();
    listener = await startTcpListener('SSH-2.0-test\r\n');
    writeFileSync(artifact, 'release bytes');
    // A registry speaking the OCI distribution API for HEAD on manifests.
    registry = http.createServer((req, res) => {
      res.writeHead(
        req.url === '/v2/shop/manifests/v1.0.0' ? 200 : req.url?.startsWith('/v2/private/') ? 401 : 404,
      );
      res.end();
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    mkdirSync(path.join(dir, 'state'), { recursive: true });
    writeFileSync(
      path.join(dir, 'state', 'production.json'),
      JSON.stringify({
        schemaVersion: 2,
        environment: 'production',
        current: 'v1.0.0',
        releases: [
          { version: 'v0.9.0', status: 'bad', startedAt: '2026-11-01T00:00:00Z', reason: 'broke checkout' },
        ],
      }),
    );
  });
  after(async () => {
    await service.close();
    await listener.close();
    await new Promise<void>((resolve) => registry.close(() => resolve()));
  });

  it("passes when everything is there, never printing a secret's value", async () => {
    const sha = createHash('sha256').update('release bytes').digest('hex');
    const checks = [
      '- { type: secret, secret: DEPLOY_KEY }',
      '- { type: command, command: node, min-version: "18" }',
      '- { type: disk, path: /, min-free: 1MB }',
      '- { type: memory, min-free: 1% }',
      `- { type: tcp, host: 127.0.0.1, port: ${listener.port} }`,
      `- { type: http, url: "${service.url}/healthy" }`,
      `- { type: artifact, path: "${artifact}", sha256: ${sha} }`,
      `- { type: image, image: "shop:v1.0.0", registry: "${registryUrl}" }`,
      '- { type: image, image: "shop:v1.0.0", command: "true {image}" }',
      '- { type: not-bad, environment: production, version: v1.0.0 }',
    ].join('\n');
    const step = await runStep('preflight', {
      with: { checks, 'state-dir': path.join(dir, 'state') },
      env: { DEPLOY_KEY: SECRET_VALUE },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.result, 'passed');
    assert.equal(JSON.parse(step.outputs.report!).facts.length, 10);
    assert.match(step.summary, /### ✅ Preflight passed/);
    assert.match(step.summary, /\| ✅ \| secret DEPLOY\\_KEY \| critical \| DEPLOY\\_KEY is set \|/);
    for (const text of [step.log, step.summary, step.outputs.report!])
      assert.ok(!text.includes(SECRET_VALUE), 'the secret leaked');
    assert.ok(
      step.commands.some((c) => c.name === 'add-mask'),
      'the secret was masked',
    );
  });

  it("an image check's command output stays in the log: never in the detail, the report, the summary or the annotation", async () => {
    const printed = 'login failed: password=hunter2-from-the-registry';
    const step = await runStep('preflight', {
      with: {
        checks: `- { type: image, image: "shop:v1.0.0", command: "echo 'looking for '\\"{image}\\"; echo '${printed}' >&2; exit 1" }`,
        'state-dir': path.join(dir, 'state'),
      },
    });
    assert.equal(step.outcome, 'failure');
    const detail = JSON.parse(step.outputs.report!).facts[0].detail;
    assert.equal(detail, 'shop:v1.0.0 was not found: the check command exited 1 (its output is in the log)');
    for (const [where, text] of [
      ['report', step.outputs.report!],
      ['summary', step.summary],
      ['annotations', step.commands.map((c) => c.message).join('\n')],
    ])
      assert.doesNotMatch(text!, /hunter2/, `${where} quotes the command's output`);
    assert.match(step.log, /looking for shop:v1\.0\.0/, 'the image reached the command as a value');
  });

  it('fails on a critical check with an ::error:: naming it and the fix; warns on the others', async () => {
    const checks = [
      '- { type: secret, secret: MISSING_TOKEN }',
      '- { type: command, command: node, min-version: "99.1" }',
      '- { type: command, command: no-such-tool }',
      '- { type: disk, path: /, min-free: 100%, critical: false }',
      `- { type: tcp, host: 127.0.0.1, port: ${await freePort()} }`,
      `- { type: http, url: "${service.url}/failing" }`,
      `- { type: artifact, path: "${artifact}", sha256: "${'0'.repeat(64)}" }`,
      `- { type: image, image: "shop:v9.9.9", registry: "${registryUrl}" }`,
      `- { type: image, image: "private/app:v1", registry: "${registryUrl}" }`,
      '- { type: not-bad, environment: production, version: v0.9.0 }',
    ].join('\n');
    const step = await runStep('preflight', { with: { checks, 'state-dir': path.join(dir, 'state') } });
    assert.equal(step.outcome, 'failure');
    assert.equal(step.outputs.result, 'failed');
    const report = JSON.parse(step.outputs.report!);
    const byName = Object.fromEntries(
      report.facts.map((f: { name: string; ok: boolean; detail: string; fix: string }) => [f.name, f]),
    );
    assert.match(
      byName['secret MISSING_TOKEN'].fix,
      /env: \{ MISSING_TOKEN: \$\{\{ secrets\.MISSING_TOKEN \}\} \}/,
    );
    assert.match(byName['command node'].detail, /^node \d+\.\d+\.\d+ is older than 99\.1$/);
    assert.equal(byName['command no-such-tool'].detail, 'no-such-tool is not on PATH');
    assert.match(byName['disk /'].detail, /less than the 100% needed/);
    assert.match(
      report.facts.find((f: { type: string }) => f.type === 'tcp').detail,
      /^connection refused: nothing listens there \(127\.0\.0\.1:\d+\)$/,
    );
    assert.equal(
      byName[`http 127.0.0.1:${new URL(service.url).port}`].detail,
      `127.0.0.1:${new URL(service.url).port} answered 503`,
    );
    assert.match(byName[`artifact ${artifact}`].detail, /has sha256 [0-9a-f]{64}, expected 0{64}/);
    assert.match(byName['image shop:v9.9.9'].detail, /is not in 127\.0\.0\.1:\d+ \(404\)/);
    assert.match(byName['image private/app:v1'].detail, /refused to show private\/app:v1 \(401\)/);
    assert.match(
      byName['v0.9.0 not bad in production'].detail,
      /v0\.9\.0 is marked bad in production \(broke checkout\)/,
    );
    const error = step.commands.find((c) => c.name === 'error')!;
    assert.equal(error.properties.title, 'preflight failed');
    assert.match(
      error.message,
      /^Preflight failed: secret MISSING_TOKEN: MISSING_TOKEN is missing or empty — pass it to the step/,
    );
    assert.ok(
      step.commands.some((c) => c.name === 'warning' && c.properties.title === 'preflight: disk /'),
      'the non-critical check is a warning',
    );
    assert.match(step.summary, /\| ⚠️ \| disk \/ \| warning \|/);
  });

  it('only warnings: the step passes with result warnings', async () => {
    const step = await runStep('preflight', {
      with: { checks: '- { type: command, command: no-such-tool, critical: false }' },
    });
    assert.equal(step.outcome, 'success');
    assert.equal(step.outputs.result, 'warnings');
  });

  it('bad input names the input and the check', () => {
    assert.throws(
      () => parsePreflightSettings({ checks: '- { type: ping }' }),
      /Input "checks": check 1: unknown type "ping"; use one of secret, command/,
    );
    assert.throws(
      () => parsePreflightSettings({ checks: '- { type: disk, min-free: lots }' }),
      /Input "checks": check 1, field "min-free": "lots" is not an amount/,
    );
    assert.throws(
      () => parsePreflightSettings({ checks: '- { type: artifact, path: x, sha256: abc }' }),
      /field "sha256": is not a sha256/,
    );
    assert.throws(
      () => parsePreflightSettings({ checks: '- { type: secret, secret: DEPLOY_KEY }', timeout: '-1s' }),
      /Input "timeout": "-1s" must not be negative/,
    );
  });

  it('compares versions numerically', () => {
    assert.equal(compareVersions('2.10.1', '2.9'), 1);
    assert.equal(compareVersions('2.14', '2.14.0'), 0);
    assert.equal(compareVersions('1.9', '2'), -1);
  });
});
