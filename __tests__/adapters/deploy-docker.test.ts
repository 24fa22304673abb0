import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  containers,
  dockerCli,
  ensureDockerd,
  pushServiceImage,
  removeContainers,
} from '../fixtures/docker.ts';
import { startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import {
  type Pushed,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type TestRegistry,
} from '../fixtures/registry.ts';
import { freePort } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

const SECRET_ENV = 'planted-container-secret-5b2a';
/** `${NAME}`, as a compose file interpolates it. */
const variable = (name: string) => `$${'{'}${name}}`;

/**
 * The docker driver against a real Docker daemon: images made here from busybox-static, pushed
 * to a real registry behind htpasswd, pulled by digest; two slots behind a real HAProxy, users
 * calling throughout.
 */
describe('driver: docker, blue-green behind HAProxy (a real dockerd and registry)', () => {
  let registry: TestRegistry;
  let dockerHost: string;
  let haproxy: Awaited<ReturnType<typeof startHaproxy>>;
  let slots: { blue: number; green: number };
  let stateDir: string;
  const images: Record<string, Pushed> = {};
  const prefix = `da${process.pid}`;
  const other = (slot: string) => (slot === 'blue' ? 'green' : 'blue');
  let idle = '';

  const inputs = () => ({
    environment: 'production',
    driver: 'docker',
    'container-name': prefix,
    'container-port': '8080',
    'container-env': `{ GREETING: ${SECRET_ENV} }`,
    'docker-host': dockerHost,
    strategy: 'blue-green',
    slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    traffic: 'haproxy',
    'haproxy-socket': haproxy.socket,
    'haproxy-backend': haproxy.backend,
    'verify-probes': '- { name: slot, type: http, url: "{slot_url}/health", count: 2, interval: 100ms }',
    'version-url': '{slot_url}/version',
    'registry-username': REGISTRY_USER,
    'registry-password': REGISTRY_PASSWORD,
    'state-dir': stateDir,
    'retry-wait': '100ms',
    attempts: '1',
    'scale-down-delay': '1h',
  });
  const deploy = (tag: string, more: Record<string, string> = {}) =>
    runStep('deploy', {
      with: { ...inputs(), image: `${registry.host}/shop:${tag}`, ...more },
      hardTimeoutMs: 120_000,
    });
  const pinned = (tag: string) => `${registry.host}/shop@${images[tag]!.digest}`;
  const served = async () => JSON.parse(await (await fetch(`${haproxy.url}/version`)).text()).tag as string;

  before(async () => {
    ({ host: dockerHost } = await ensureDockerd());
    registry = await startRegistry({ auth: 'htpasswd' });
    for (const [tag, kind] of [
      ['v1.0.0', 'good'],
      ['v2.0.0', 'good'],
      ['v3.0.0-broken', 'broken'],
      ['v4.0.0-unhealthy', 'unhealthy'],
    ] as const)
      images[tag] = await pushServiceImage(registry, 'shop', tag, kind);
    slots = { blue: await freePort(), green: await freePort() };
    haproxy = await startHaproxy(slots, 'blue');
    stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'docker-bg-')), 'state');
  });
  after(async () => {
    removeContainers(prefix);
    await haproxy?.close();
    await registry?.close();
  });

  it("runs each release as the slot's container, pulled by digest; 0 failed requests", async () => {
    const first = await deploy('v1.0.0');
    assert.equal(first.outcome, 'success', first.log);
    const one = first.outputs.slot!;
    assert.deepEqual(
      containers(prefix).map((c) => [c.name, c.state, c.image]),
      [[`${prefix}-${one}`, 'running', pinned('v1.0.0')]],
    );
    assert.equal(await served(), 'v1.0.0');
    const users = startLoad(`${haproxy.url}/health`, 4, 5);
    const second = await deploy('v2.0.0');
    const load = await users.stop();
    assert.equal(second.outcome, 'success', second.log);
    assert.equal(second.outputs.slot, other(one));
    assert.equal(await served(), 'v2.0.0');
    assert.equal(load.failed, 0, load.samples.join('; '));
    assert.ok(load.ok > 50, `users kept calling (${load.ok})`);
    assert.match(
      second.log,
      new RegExp(
        `Container ${prefix}-${other(one)} runs .*shop@sha256:[0-9a-f]{64}, healthy by its own healthcheck`,
      ),
    );
    const running = Object.fromEntries(containers(prefix).map((c) => [c.name, c.image]));
    assert.deepEqual(
      running,
      { [`${prefix}-${one}`]: pinned('v1.0.0'), [`${prefix}-${other(one)}`]: pinned('v2.0.0') },
      'the old slot stays warm',
    );
    idle = one;
  });

  it('a broken release is rejected on its slot, its container stopped; users never see it', async () => {
    const users = startLoad(`${haproxy.url}/health`, 4, 5);
    const broken = await deploy('v3.0.0-broken');
    const load = await users.stop();
    assert.equal(broken.outcome, 'failure');
    assert.match(JSON.parse(broken.outputs.report!).message, /health check failed/);
    assert.equal(await served(), 'v2.0.0');
    assert.equal(load.failed, 0, load.samples.join('; '));
    assert.equal(broken.outputs.slot, idle);
    assert.deepEqual(containers(`${prefix}-${idle}`), [], 'the rejected container was removed');
  });

  it('an image failing its own Docker healthcheck is rejected before any traffic', async () => {
    const users = startLoad(`${haproxy.url}/health`, 2, 5);
    const unhealthy = await deploy('v4.0.0-unhealthy', { 'attempt-timeout': '20s' });
    const load = await users.stop();
    assert.equal(unhealthy.outcome, 'failure');
    assert.match(
      JSON.parse(unhealthy.outputs.report!).message,
      new RegExp(`container ${prefix}-${idle} is unhealthy by its own Docker healthcheck`),
    );
    assert.equal(await served(), 'v2.0.0');
    assert.equal(load.failed, 0);
  });

  it('rolls back to the warm container without running the driver', async () => {
    const v1 = await deploy('v1.0.0');
    assert.equal(v1.outcome, 'success', v1.log);
    const again = await deploy('v2.0.0');
    assert.equal(again.outcome, 'success', again.log);
    assert.equal(await served(), 'v2.0.0');
    const warm = `${prefix}-${v1.outputs.slot}`;
    const warmId = dockerCli(['inspect', '--format', '{{.Id}}', warm]).stdout.trim();
    const users = startLoad(`${haproxy.url}/health`, 4, 5);
    const back = await runStep('rollback', { with: { ...inputs(), 'to-version': pinned('v1.0.0') } });
    const load = await users.stop();
    assert.equal(back.outcome, 'success', back.log);
    assert.equal(await served(), 'v1.0.0');
    assert.equal(load.failed, 0, load.samples.join('; '));
    assert.ok(warmId, 'the old slot had its container');
    assert.equal(
      dockerCli(['inspect', '--format', '{{.Id}}', warm]).stdout.trim(),
      warmId,
      'the same container serves',
    );
    assert.doesNotMatch(back.log, /docker pull/, 'the warm container serves: nothing pulled or started');
  });

  it('a warm container that died is not warm: the rollback runs it again before any switch', async () => {
    const live = await served();
    const [warm] = containers(prefix).filter((c) => !c.image.endsWith(images[live]!.digest));
    assert.ok(warm, 'the other slot has a container');
    const version = Object.keys(images).find((tag) => warm.image.endsWith(images[tag]!.digest))!;
    dockerCli(['rm', '--force', warm.name]);
    const users = startLoad(`${haproxy.url}/health`, 4, 5);
    // The previous rollback marked it bad: force, to roll back to it once more.
    const back = await runStep('rollback', {
      with: { ...inputs(), 'to-version': pinned(version), force: 'true' },
    });
    const load = await users.stop();
    assert.equal(back.outcome, 'success', back.log);
    assert.match(back.log, /Deploying .* into the idle slot/, 'the dead slot was deployed into again');
    assert.equal(await served(), version);
    assert.equal(load.failed, 0, load.samples.join('; '));
    assert.deepEqual(
      containers(warm.name).map((c) => [c.state, c.image]),
      [['running', warm.image]],
    );
  });

  it('the registry password and the container secret appear nowhere', () => {
    const files = readdirSync(stateDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
    for (const text of [...files, ...registry.requests])
      for (const secret of [REGISTRY_PASSWORD, SECRET_ENV])
        assert.ok(!text.includes(secret), `${secret} leaked`);
    // The pull's credentials lived in a DOCKER_CONFIG of each release's own, removed with it.
    assert.deepEqual(
      readdirSync(tmpdir()).filter((name) => name.startsWith('deploy-actions-docker-')),
      [],
      'no registry credentials left on disk',
    );
    const [container] = containers(prefix);
    const inspect = dockerCli(['inspect', '--format', '{{json .Config.Env}}', container!.name]).stdout;
    assert.match(inspect, new RegExp(`GREETING=${SECRET_ENV}`), 'the container got it');
    assert.ok(
      !dockerCli(['inspect', '--format', '{{json .Args}}', container!.name]).stdout.includes(SECRET_ENV),
    );
  });
});

describe('driver: docker in place, and compose with two services', () => {
  let registry: TestRegistry;
  let dockerHost: string;
  const prefix = `dc${process.pid}`;
  before(async () => {
    ({ host: dockerHost } = await ensureDockerd());
    registry = await startRegistry();
  });
  after(async () => {
    removeContainers(prefix);
    const projects = dockerCli([
      'ps',
      '-a',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${prefix}`,
    ]).stdout.trim();
    if (projects) dockerCli(['rm', '-f', ...projects.split('\n')]);
    await registry.close();
  });

  it('in place: stops the old container, starts the new one, verifies it', async () => {
    const port = await freePort();
    const v1 = await pushServiceImage(registry, 'inplace', 'v1.0.0');
    const v2 = await pushServiceImage(registry, 'inplace', 'v2.0.0');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'docker-ip-'));
    const common = {
      environment: 'staging',
      driver: 'docker',
      'container-name': `${prefix}-inplace`,
      'docker-args': `[--publish, "127.0.0.1:${port}:8080"]`,
      'docker-host': dockerHost,
      'verify-probes': `- { name: up, type: http, url: "http://127.0.0.1:${port}/health", interval: 100ms }`,
      'version-url': `http://127.0.0.1:${port}/version`,
      'state-dir': stateDir,
    };
    for (const [tag, pushed] of [
      ['v1.0.0', v1],
      ['v2.0.0', v2],
    ] as const) {
      const step = await runStep('deploy', { with: { ...common, image: `${registry.host}/inplace:${tag}` } });
      assert.equal(step.outcome, 'success', step.log);
      assert.deepEqual(
        containers(`${prefix}-inplace`).map((c) => c.image),
        [`${registry.host}/inplace@${pushed.digest}`],
      );
    }
  });

  it('compose: a project per slot, the image pinned through DEPLOY_IMAGE, both services up', async () => {
    const app = await pushServiceImage(registry, 'app', 'v1.0.0');
    const slots = { blue: await freePort(), green: await freePort() };
    const haproxy = await startHaproxy(slots, 'blue');
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-'));
    const file = path.join(dir, 'compose.yml');
    // The sidecar is the same image by digest, serving nothing public: a second service to bring up.
    writeFileSync(
      file,
      [
        "version: '2.4'",
        'services:',
        '  web:',
        `    image: ${variable('DEPLOY_IMAGE')}`,
        '    environment: [DEPLOY_VERSION]',
        `    ports: ["127.0.0.1:${variable('DEPLOY_SLOT_PORT')}:8080"]`,
        '  sidecar:',
        `    image: ${variable('DEPLOY_IMAGE')}`,
        '    environment: [DEPLOY_VERSION]',
        '',
      ].join('\n'),
    );
    try {
      const step = await runStep('deploy', {
        with: {
          environment: 'production',
          driver: 'compose',
          'compose-file': file,
          'compose-service': 'web',
          'compose-command': 'docker-compose',
          'container-name': prefix,
          'docker-host': dockerHost,
          image: `${registry.host}/app:v1.0.0`,
          strategy: 'blue-green',
          slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
          'haproxy-socket': haproxy.socket,
          'haproxy-backend': haproxy.backend,
          'verify-probes': '- { name: slot, type: http, url: "{slot_url}/health", interval: 100ms }',
          'version-url': '{slot_url}/version',
          'state-dir': path.join(dir, 'state'),
        },
        hardTimeoutMs: 120_000,
      });
      assert.equal(step.outcome, 'success', step.log);
      const ids = dockerCli([
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${prefix}-${step.outputs.slot}`,
      ])
        .stdout.trim()
        .split('\n');
      const project = dockerCli([
        'inspect',
        '--format',
        '{{index .Config.Labels "com.docker.compose.service"}} {{.Config.Image}}',
        ...ids,
      ]);
      assert.deepEqual(project.stdout.trim().split('\n').sort(), [
        `sidecar ${registry.host}/app@${app.digest}`,
        `web ${registry.host}/app@${app.digest}`,
      ]);
      assert.equal(
        JSON.parse(await (await fetch(`${haproxy.url}/version`)).text()).version,
        `${registry.host}/app@${app.digest}`,
      );
    } finally {
      const left = dockerCli([
        'ps',
        '-a',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${prefix}-blue`,
        '--filter',
        `label=com.docker.compose.project=${prefix}-green`,
      ]).stdout.trim();
      if (left) dockerCli(['rm', '-f', ...left.split('\n')]);
      await haproxy.close();
    }
  });
});
