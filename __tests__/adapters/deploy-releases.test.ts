import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../fixtures/test-service.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';
import { runStep } from '../harness/run-action.ts';

/**
 * The releases driver end to end: the sample service (examples/sample-service) runs from
 * releases/current on a real port, restarted by the restart command; health is checked with
 * real HTTP before and after every switch.
 */
describe('deploy with the releases driver: a real service started from releases/current', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'releases-'));
  const app = path.join(dir, 'app');
  const artifacts = path.join(dir, 'artifacts');
  let port: number;
  let inputs: Record<string, string>;

  /** An artifact for `version`: the sample service, broken if asked; v2 is shipped as a .tar.gz. */
  function makeArtifact(version: string, broken = false): void {
    const folder = path.join(artifacts, version);
    mkdirSync(folder, { recursive: true });
    copyFileSync(
      path.join(REPO_ROOT, 'examples', 'sample-service', 'server.mjs'),
      path.join(folder, 'server.mjs'),
    );
    if (broken) writeFileSync(path.join(folder, 'BROKEN'), 'yes');
  }

  const fetchJson = async (route: string) =>
    (await fetch(`http://127.0.0.1:${port}${route}`)).json() as Promise<{ version: string; status?: string }>;

  before(async () => {
    port = await freePort();
    for (const version of ['v1.0.0', 'v2.0.0', 'v3.0.0']) makeArtifact(version);
    makeArtifact('v4.0.0', true);
    execFileSync('tar', [
      '-czf',
      path.join(artifacts, 'v2.0.0.tar.gz'),
      '-C',
      path.join(artifacts, 'v2.0.0'),
      '.',
    ]);
    const restart = `PORT=${port} ${path.join(REPO_ROOT, 'examples', 'sample-service', 'restart.sh')}`;
    inputs = {
      environment: 'production',
      driver: 'releases',
      'releases-dir': app,
      artifact: path.join(artifacts, '{version}'),
      'restart-command': restart,
      'keep-releases': '2',
      'state-dir': path.join(dir, 'state'),
      'retry-wait': '50ms',
      'verify-probes': `- { name: actuator, type: http, url: "http://127.0.0.1:${port}/actuator/health", interval: 100ms, count: 30, failure-limit: 29, consecutive-error-limit: 29, consecutive-successes: 2 }`,
      'version-url': `http://127.0.0.1:${port}/version`,
    };
  });
  after(() => {
    const pid = Number(readFileSync(path.join(app, 'app.pid'), 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  });

  it('installs v1 from a directory, switches current, starts it, verifies health and version', async () => {
    const step = await runStep('deploy', { with: { ...inputs, version: 'v1.0.0' } });
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.equal(readlinkSync(path.join(app, 'current')), path.join('releases', 'v1.0.0'));
    assert.deepEqual(await fetchJson('/version'), { version: 'v1.0.0' });
  });

  it('installs v2 from a .tar.gz; the service answered before and answers after', async () => {
    assert.equal((await fetchJson('/actuator/health')).status, 'UP');
    const step = await runStep('deploy', {
      with: { ...inputs, artifact: path.join(artifacts, '{version}.tar.gz'), version: 'v2.0.0' },
    });
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.deepEqual(await fetchJson('/version'), { version: 'v2.0.0' });
    assert.ok(existsSync(path.join(app, 'releases', 'v2.0.0', 'server.mjs')));
  });

  it('keeps the newest releases, never the current or previous one', async () => {
    const step = await runStep('deploy', { with: { ...inputs, version: 'v3.0.0' } });
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.deepEqual(readdirSync(path.join(app, 'releases')).sort(), ['v2.0.0', 'v3.0.0']);
    assert.match(step.log, /removed old releases: v1\.0\.0/);
  });

  it('a broken release fails verification; rollback switches back and the old release serves again', async () => {
    const bad = await runStep('deploy', { with: { ...inputs, version: 'v4.0.0' } });
    assert.equal(bad.outputs.result, 'failed');
    assert.match(bad.log, /verification failed: health check (failed|inconclusive)/);
    const rollback = await runStep('rollback', { with: inputs });
    assert.equal(rollback.outputs.result, 'rolled-back', rollback.log);
    assert.equal(rollback.outputs['to-version'], 'v3.0.0');
    assert.equal(readlinkSync(path.join(app, 'current')), path.join('releases', 'v3.0.0'));
    assert.deepEqual(await fetchJson('/version'), { version: 'v3.0.0' });
    assert.equal((await fetchJson('/actuator/health')).status, 'UP');
  });

  it('SIGINT after current switched: the record says v2.0.0 is live and unverified; deploying v3.0.0 again really switches back', async () => {
    const slowRestart = `${inputs['restart-command']}; echo restarted; sleep 30`;
    const cut = await runStep('deploy', {
      with: { ...inputs, version: 'v2.0.0', 'restart-command': slowRestart },
      cancelWhen: /^restarted$/,
    });
    assert.equal(cut.outcome, 'cancelled', cut.log);
    const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
    assert.equal(
      state.current,
      'v2.0.0',
      'the record does not claim v3.0.0 while the link may point at v2.0.0',
    );
    assert.equal(state.releases.at(-1).status, 'interrupted');
    const again = await runStep('deploy', { with: { ...inputs, version: 'v3.0.0' } });
    assert.equal(again.outputs.result, 'deployed', again.log);
    assert.equal(readlinkSync(path.join(app, 'current')), path.join('releases', 'v3.0.0'));
    assert.deepEqual(await fetchJson('/version'), { version: 'v3.0.0' });
  });

  it('never leaves a temporary link or a half-installed release behind', () => {
    assert.deepEqual(
      readdirSync(app).filter((name) => name.includes('.next-')),
      [],
    );
    assert.deepEqual(
      readdirSync(path.join(app, 'releases')).filter((name) => name.includes('.installing-')),
      [],
    );
  });
});
