import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type Pushed,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type TestRegistry,
} from '../fixtures/registry.ts';
import { CLI, runNode } from '../fixtures/run-cli.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runStep } from '../harness/run-action.ts';

/** A "server" whose running version is a file the deploy command writes. */
function target() {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-target-'));
  return {
    dir,
    live: path.join(dir, 'live'),
    seen: path.join(dir, 'seen'),
    stateDir: path.join(dir, 'state'),
    state: () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8')),
    files: () =>
      readdirSync(path.join(dir, 'state'), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8')),
  };
}

describe('deploy by image: resolved to its digest before anything runs', () => {
  let registry: TestRegistry;
  let locked: TestRegistry;
  let v1: Pushed;
  before(async () => {
    [registry, locked] = await Promise.all([startRegistry(), startRegistry({ auth: 'bearer' })]);
    v1 = await registry.admin.pushImage('shop', 'v1.4.2');
  });
  after(() => Promise.all([registry.close(), locked.close()]));

  const deploy = (t: ReturnType<typeof target>, inputs: Record<string, string>, secrets: string[] = []) =>
    runStep('deploy', {
      with: { environment: 'production', 'state-dir': t.stateDir, 'retry-wait': '50ms', ...inputs },
      secrets,
    });

  it('gives the driver the digest, records it and verifies the digest the service reports', async () => {
    const t = target();
    const service = await startVersionedService(t.live);
    try {
      const step = await deploy(t, {
        image: `${registry.host}/shop:v1.4.2`,
        // The service reports only the digest it runs, as a container runtime would.
        command: `echo "$DEPLOY_IMAGE $DEPLOY_VERSION" > ${t.seen}; echo "\${DEPLOY_IMAGE##*@}" > ${t.live}`,
        'version-url': `${service.url}/version`,
      });
      const pinned = `${registry.host}/shop@${v1.digest}`;
      assert.equal(step.outcome, 'success', step.log);
      assert.equal(readFileSync(t.seen, 'utf8').trim(), `${pinned} ${pinned}`);
      assert.equal(step.outputs.version, pinned);
      assert.equal(t.state().current, pinned);
      assert.match(step.log, new RegExp(`shop:v1\\.4\\.2 is ${v1.digest}`));
      assert.match(step.log, /running/);
    } finally {
      await service.close();
    }
  });

  it("deploy-actions run (the root action's pipeline) deploys the digest too", async () => {
    const t = target();
    const service = await startVersionedService(t.live);
    try {
      const run = await runNode([
        CLI,
        'run',
        '--environment',
        'production',
        '--image',
        `${registry.host}/shop:v1.4.2`,
        '--command',
        `echo "$DEPLOY_IMAGE" > ${t.live}`,
        '--version-url',
        `${service.url}/version`,
        '--health-probes',
        `- { name: web, type: http, url: "${service.url}/health" }`,
        '--health-count',
        '1',
        '--state-dir',
        t.stateDir,
        '--json',
      ]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as { result: string; version: string };
      assert.deepEqual([report.result, report.version], ['deployed', `${registry.host}/shop@${v1.digest}`]);
    } finally {
      await service.close();
    }
  });

  it('rollback takes an image too: its digest, which the history holds, is rolled back to', async () => {
    const t = target();
    const v2 = await registry.admin.pushImage('shop', 'v1.9.0');
    const common = { command: `echo "$DEPLOY_IMAGE" > ${t.live}` };
    for (const tag of ['v1.4.2', 'v1.9.0'])
      assert.equal(
        (await deploy(t, { ...common, image: `${registry.host}/shop:${tag}` })).outcome,
        'success',
      );
    const back = await runStep('rollback', {
      with: {
        environment: 'production',
        'state-dir': t.stateDir,
        ...common,
        image: `${registry.host}/shop:v1.4.2`,
      },
    });
    assert.equal(back.outcome, 'success', back.log);
    assert.equal(back.outputs['to-version'], `${registry.host}/shop@${v1.digest}`);
    assert.equal(readFileSync(t.live, 'utf8').trim(), `${registry.host}/shop@${v1.digest}`);
    assert.equal(back.outputs['from-version'], `${registry.host}/shop@${v2.digest}`);
  });

  it('fails verification when the service runs another digest', async () => {
    const t = target();
    const service = await startVersionedService(t.live);
    try {
      const other = await registry.admin.pushImage('shop', 'v1.4.3');
      const step = await deploy(t, {
        image: `${registry.host}/shop:v1.4.2`,
        command: `echo ${other.digest} > ${t.live}`,
        'version-url': `${service.url}/version`,
      });
      assert.equal(step.outcome, 'failure');
      assert.match(
        JSON.parse(step.outputs.report!).message,
        /reports version "sha256:[0-9a-f]+", not .*shop@sha256/,
      );
    } finally {
      await service.close();
    }
  });

  it('refuses a tag moved during the release, without marking the digest bad', async () => {
    const t = target();
    const moved = await registry.admin.pushImage('shop', 'moving-v2.0.0-source');
    const manifest = path.join(t.dir, 'manifest.json');
    writeFileSync(manifest, moved.bytes);
    const repush = path.join(t.dir, 'repush.mjs');
    // Someone re-pushes the tag while the driver runs (a CI job racing this release).
    writeFileSync(
      repush,
      `const r = await fetch('http://${registry.host}/v2/shop/manifests/v2.0.0', { method: 'PUT', headers: { 'content-type': '${moved.mediaType}' }, body: (await import('node:fs')).readFileSync(${JSON.stringify(manifest)}) }); if (r.status !== 201) process.exit(1);`,
    );
    const first = await registry.admin.pushImage('shop', 'v2.0.0');
    const step = await deploy(t, {
      image: `${registry.host}/shop:v2.0.0`,
      command: `node ${repush} && echo "$DEPLOY_IMAGE" > ${t.live}`,
    });
    assert.equal(step.outcome, 'failure', step.log);
    const { message } = JSON.parse(step.outputs.report!);
    assert.match(
      message,
      new RegExp(`the tag v2\\.0\\.0 of .*shop moved to ${moved.digest} during the release`),
    );
    const [release] = t.state().releases;
    assert.equal(release.version, `${registry.host}/shop@${first.digest}`);
    assert.notEqual(release.status, 'bad', 'a moved tag is no evidence against the build');
  });

  it('refuses latest, dev and environment pointers before asking the registry anything', async () => {
    const t = target();
    for (const tag of ['latest', 'dev', 'prod']) {
      const before = registry.requests.length;
      const step = await deploy(t, { image: `${registry.host}/shop:${tag}`, command: 'true' });
      assert.equal(step.outcome, 'failure');
      assert.match(step.log, new RegExp(`Input "image": "${tag}" (is a moving name|has no version number)`));
      assert.equal(registry.requests.length, before, 'nothing asked of the registry');
    }
    const both = await deploy(t, { image: `${registry.host}/shop:v1.4.2`, version: 'v1', command: 'true' });
    assert.match(both.log, /Input "version": leave it empty with image/);
    const missing = await deploy(t, { image: `${registry.host}/shop:v9.9.9`, command: `touch ${t.seen}` });
    assert.match(missing.log, /Input "image": .*shop:v9\.9\.9 does not exist/);
    assert.throws(() => readFileSync(t.seen), 'the driver never ran');
  });

  it('uses the token flow with the credentials given, which appear nowhere', async () => {
    const t = target();
    const pushed = await locked.admin.pushImage('team/shop', 'v3.1.0');
    const step = await deploy(
      t,
      {
        image: `${locked.host}/team/shop:v3.1.0`,
        command: `echo "$DEPLOY_IMAGE" > ${t.live}`,
        'registry-username': REGISTRY_USER,
        'registry-password': REGISTRY_PASSWORD,
      },
      [],
    );
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(readFileSync(t.live, 'utf8').trim(), `${locked.host}/team/shop@${pushed.digest}`);
    assert.ok(locked.scopes.includes('repository:team/shop:pull'));
    const everything = [
      step.log,
      step.summary,
      JSON.stringify(step.outputs),
      ...t.files(),
      ...locked.requests,
    ];
    for (const text of everything) assert.ok(!text.includes(REGISTRY_PASSWORD), 'the password leaked');

    const refused = await deploy(target(), {
      image: `${locked.host}/team/shop:v3.1.0`,
      command: 'true',
      'registry-username': REGISTRY_USER,
      'registry-password': `${REGISTRY_PASSWORD}-wrong`,
    });
    assert.equal(refused.outcome, 'failure');
    assert.match(refused.log, /Input "registry-password": .* refused the credentials of deployer \(401\)/);
    assert.ok(!refused.log.includes(REGISTRY_PASSWORD));
  });
});
