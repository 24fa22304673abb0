import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import {
  type Pushed,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type TestRegistry,
} from '../fixtures/registry.ts';
import { CLI, runNode } from '../fixtures/run-cli.ts';
import { freePort } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

/**
 * promote-image: the exact digest verified in testing becomes prod's, read back byte for byte;
 * the records are made by real deploys of the image (the deploy action), never written by hand.
 */
describe('promote-image: only the exact digest verified good in the source environment', () => {
  let registry: TestRegistry;
  let stateDir: string;
  let tested: Pushed;
  let multiArch: Pushed;
  let failed: Pushed;
  let untested: Pushed;

  const deployTo = (environment: string, image: string, command = 'true') =>
    runStep('deploy', { with: { environment, image, command, 'state-dir': stateDir, 'retry-wait': '50ms' } });
  const promote = (inputs: Record<string, string>) =>
    runStep('promote-image', { with: { 'state-dir': stateDir, ...inputs } });

  before(async () => {
    registry = await startRegistry();
    stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'promote-')), 'state');
    tested = await registry.admin.pushImage('shop', 'v1.4.2');
    const amd = await registry.admin.pushImage('shop', 'v2.0.0-amd64', { arch: 'amd64' });
    const arm = await registry.admin.pushImage('shop', 'v2.0.0-arm64', { arch: 'arm64' });
    multiArch = await registry.admin.pushIndex('shop', 'v2.0.0', [amd, arm]);
    failed = await registry.admin.pushImage('shop', 'v1.5.0');
    untested = await registry.admin.pushImage('shop', 'v1.6.0');
    for (const [image, command] of [
      ['shop:v1.4.2', 'true'],
      ['shop:v2.0.0', 'true'],
      ['shop:v1.5.0', 'exit 3'],
    ] as const) {
      const step = await deployTo('testing', `${registry.host}/${image}`, command);
      assert.equal(step.outcome, command === 'true' ? 'success' : 'failure', step.log);
    }
  });
  after(() => registry.close());

  it('points prod at the tested manifest, byte for byte, and records it', async () => {
    const step = await promote({
      image: `${registry.host}/shop:v1.4.2`,
      'from-environment': 'testing',
      'to-environment': 'prod',
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.digest, tested.digest);
    assert.equal(step.outputs.tag, `${registry.host}/shop:prod`);
    assert.equal(
      step.outputs.image,
      `${registry.host}/shop@${tested.digest}`,
      "what the next deploy's image is",
    );
    const prod = await registry.admin.manifest('shop', 'prod');
    assert.ok(prod?.bytes.equals(tested.bytes), 'the manifest as tested');
    assert.match(step.summary, /Promote image testing → prod: promoted/);
    assert.match(
      step.summary,
      new RegExp(`Verified on testing \\| ${registry.host.replace(/\./g, '\\.')}/shop@${tested.digest}`),
    );
    const audit = readFileSync(path.join(stateDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const entry = audit.findLast((line) => line.action === 'promote-image');
    assert.deepEqual(
      [entry.result, entry.digest, entry.from, entry.to],
      ['promoted', tested.digest, 'testing', 'prod'],
    );
    assert.ok(
      !registry.requests.some((line) => /\/blobs\/sha256:[0-9a-f]+ /.test(line) && line.startsWith('GET')),
      'no layer pulled',
    );
  });

  it('refuses a digest never verified in the source, and leaves the tag as it was', async () => {
    for (const [image, why] of [
      [`shop:v1.6.0`, /never deployed to testing/],
      [
        `shop:v1.5.0`,
        /never verified good there \(its last release there: (failed|bad)\)|marked bad on testing/,
      ],
      [`shop@${untested.digest}`, /never deployed to testing/],
    ] as const) {
      const step = await promote({
        image: `${registry.host}/${image}`,
        'from-environment': 'testing',
        'to-environment': 'prod',
      });
      assert.equal(step.outcome, 'failure');
      assert.match(JSON.parse(step.outputs.report!).message, why);
      assert.equal(step.outputs.digest, '');
      assert.equal((await registry.admin.manifest('shop', 'prod'))?.digest, tested.digest, 'prod unchanged');
    }
    assert.ok(failed.digest);
  });

  it('promotes a multi-arch index whole', async () => {
    const step = await promote({
      image: `${registry.host}/shop:v2.0.0`,
      'from-environment': 'testing',
      'to-environment': 'staging',
    });
    assert.equal(step.outcome, 'success', step.log);
    const staging = await registry.admin.manifest('shop', 'staging');
    assert.ok(staging?.bytes.equals(multiArch.bytes));
    assert.equal(step.outputs.digest, multiArch.digest);
  });

  it('promotes into another repository by mounting blobs, nothing pulled, an index with its children', async () => {
    const before = registry.requests.length;
    const step = await promote({
      image: `${registry.host}/shop:v2.0.0`,
      'from-environment': 'testing',
      'to-environment': 'prod',
      tag: `${registry.host}/shop-prod:prod`,
    });
    assert.equal(step.outcome, 'success', step.log);
    const copy = await registry.admin.manifest('shop-prod', 'prod');
    assert.ok(copy?.bytes.equals(multiArch.bytes), 'the index byte for byte');
    const requests = registry.requests.slice(before);
    const mounts = requests.filter((line) =>
      /^POST \/v2\/shop-prod\/blobs\/uploads\/\?mount=sha256:[0-9a-f]{64}&from=shop /.test(
        decodeURIComponent(line),
      ),
    );
    assert.equal(mounts.length, 4, 'config and layer of each of two platforms');
    assert.equal(JSON.parse(step.outputs.report!).mounted, 4);
    assert.ok(!requests.some((line) => line.startsWith('GET /v2/shop/blobs/')), 'no blob read');
    assert.ok(
      !requests.some((line) => line.startsWith('PATCH ') || /^PUT \/v2\/shop-prod\/blobs\//.test(line)),
      'no blob uploaded',
    );
  });

  it('the CLI takes --image, --from, --to and --tag; bad input names the flag', async () => {
    const run = await runNode([
      CLI,
      'promote-image',
      '--image',
      `${registry.host}/shop@${tested.digest}`,
      '--from',
      'testing',
      '--to',
      'canary',
      '--tag',
      'qa',
      '--state-dir',
      stateDir,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /Promoted .*shop@sha256:[0-9a-f]{64} from testing to canary: .*shop:qa now names it/,
    );
    assert.equal((await registry.admin.manifest('shop', 'qa'))?.digest, tested.digest);
    const same = await runNode([
      CLI,
      'promote-image',
      '--image',
      `${registry.host}/shop:v1.4.2`,
      '--from',
      'testing',
      '--to',
      'testing',
      '--state-dir',
      stateDir,
    ]);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /--to-environment: is the from-environment/);
    const elsewhere = await runNode([
      CLI,
      'promote-image',
      '--image',
      `${registry.host}/shop:v1.4.2`,
      '--from',
      'testing',
      '--to',
      'prod',
      '--tag',
      'other.example:5000/shop:prod',
      '--state-dir',
      stateDir,
    ]);
    assert.equal(elsewhere.code, 2);
    assert.match(
      elsewhere.stderr,
      /--tag: other\.example:5000 is not 127\.0\.0\.1:\d+: promotion points a tag in the image's own registry/,
    );
  });

  it('a registry that damages the manifest or is down: a clear error, the tag unchanged', async () => {
    registry.fault('GET /v2/shop/manifests/sha256:', 'truncate');
    const damaged = await promote({
      image: `${registry.host}/shop:v1.4.2`,
      'from-environment': 'testing',
      'to-environment': 'hotfix',
    });
    assert.equal(damaged.outcome, 'failure');
    assert.match(JSON.parse(damaged.outputs.report!).message, /came back damaged .*nothing was changed/);
    assert.equal(await registry.admin.manifest('shop', 'hotfix'), undefined);
    const missing = await promote({
      image: `${registry.host}/shop:v9.0.0`,
      'from-environment': 'testing',
      'to-environment': 'hotfix',
    });
    assert.match(missing.log, /Input "image": .*shop:v9\.0\.0 does not exist/);
    const down = await promote({
      image: `127.0.0.1:${await freePort()}/shop:v1.4.2`,
      'from-environment': 'testing',
      'to-environment': 'hotfix',
    });
    assert.equal(down.outcome, 'failure');
    assert.match(
      JSON.parse(down.outputs.report!).message,
      /127\.0\.0\.1:\d+ could not be reached: ECONNREFUSED/,
    );
  });
});

describe('promote-image with the records in GitHub Deployments', () => {
  let github: FakeGitHub;
  let registry: TestRegistry;
  before(async () => {
    [github, registry] = await Promise.all([
      startFakeGitHub({ repos: ['acme/shop'] }),
      startRegistry({ auth: 'bearer' }),
    ]);
  });
  after(() => Promise.all([github.close(), registry.close()]));

  it('reads the verified release from GitHub, and the registry password appears nowhere', async () => {
    const pushed = await registry.admin.pushImage('acme/shop', 'v3.0.0');
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'promote-gh-')), 'state');
    const common = {
      backend: 'github',
      'state-dir': stateDir,
      'registry-username': REGISTRY_USER,
      'registry-password': REGISTRY_PASSWORD,
    };
    const repo = github.repo('acme/shop');
    repo.runs.set(4242, 'in_progress');
    const deployed = await runGitHubStep(github, 'deploy', {
      with: {
        ...common,
        environment: 'testing',
        image: `${registry.host}/acme/shop:v3.0.0`,
        command: 'true',
        'lock-poll-interval': '100ms',
      },
    });
    repo.runs.set(4242, 'completed');
    assert.equal(deployed.outcome, 'success', deployed.log);
    const step = await runGitHubStep(github, 'promote-image', {
      with: {
        ...common,
        image: `${registry.host}/acme/shop:v3.0.0`,
        'from-environment': 'testing',
        'to-environment': 'production',
      },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal((await registry.admin.manifest('acme/shop', 'production'))?.digest, pushed.digest);
    assert.ok(registry.scopes.includes('repository:acme/shop:pull,push'));
    const texts = [
      deployed.log,
      step.log,
      step.summary,
      JSON.stringify(step.outputs),
      readFileSync(path.join(stateDir, 'audit.jsonl'), 'utf8'),
      ...registry.requests,
      ...github.requests.map((r) => `${r.route} ${r.body}`),
    ];
    for (const text of texts) assert.ok(!text.includes(REGISTRY_PASSWORD), 'the registry password leaked');
    assertFaithful(github);
  });
});
