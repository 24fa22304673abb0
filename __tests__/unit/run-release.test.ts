import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterruptedError } from '../../src/errors.ts';
import type { EnvironmentState } from '../../src/ports.ts';
import { planDeploy, planRollback } from '../../src/release/plan-release.ts';
import { type ReleaseRequest, runRelease } from '../../src/release/run-release.ts';
import type { ReleaseStrategy } from '../../src/release/strategy.ts';
import { loadTextPatternEngine } from '../../src/schema/text-pattern.ts';
import { parseDeploySettings } from '../../src/settings/deploy.ts';
import {
  MemoryStore,
  memoryDeps,
  scriptedRunner,
  scriptedStrategy,
  wentLive,
} from '../fixtures/memory-release.ts';

// Settings are parsed directly here, as the faces parse them after loading the engine.
await loadTextPatternEngine();

const settings = parseDeploySettings(
  { environment: 'production', version: 'v2', command: 'true', 'version-command': 'print-version' },
  () => '',
);
const good = (version: string) => ({
  version,
  status: 'good' as const,
  startedAt: '2026-11-25T09:00:00.000Z',
});
const v1Live = (): EnvironmentState => ({ environment: 'production', current: 'v1', releases: [good('v1')] });

/** A runner whose version command answers `running()` (or waits for the cancel when it is undefined). */
const versionRunner = (running: () => string | undefined) =>
  scriptedRunner(
    (request) =>
      new Promise((resolve) => {
        const answer = running();
        if (answer !== undefined) return resolve({ stdout: `${answer}\n` });
        request.signal?.addEventListener('abort', () =>
          resolve({ exitCode: null, signal: 'SIGTERM', aborted: true }),
        );
      }),
  );

function deployRequest(strategy: ReleaseStrategy, version = 'v2'): ReleaseRequest {
  return {
    kind: 'deploy',
    target: settings,
    plan: (state) => planDeploy(state, { version, force: false }),
    strategy: () => strategy,
  };
}

describe('runRelease: the record tells the truth at every step', () => {
  it('records the release begun, then live, then good: current moves only once the strategy went live', async () => {
    const store = new MemoryStore(v1Live());
    let live = 'v1';
    const { strategy } = scriptedStrategy(async (version) => {
      live = version;
      return wentLive();
    });
    const { deps } = memoryDeps(store, { runner: versionRunner(() => live) });
    const outcome = await runRelease(deployRequest(strategy), deps);
    assert.equal(outcome.result, 'released');
    assert.deepEqual(
      store.writes.map((s) => `${s.current} ${s.releases.at(-1)?.version}:${s.releases.at(-1)?.status}`),
      ['v1 v2:deploying', 'v2 v2:deploying', 'v2 v2:good'],
    );
  });

  it('interrupted while going live: the new version is recorded live and unverified, and the error says so', async () => {
    const store = new MemoryStore(v1Live());
    const cancel = new AbortController();
    const { strategy } = scriptedStrategy(
      (_version, signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
          setImmediate(() => cancel.abort(new InterruptedError('cancelled by SIGINT')));
        }),
    );
    const { deps } = memoryDeps(store, { signal: cancel.signal });
    await assert.rejects(runRelease(deployRequest(strategy), deps), (error: Error) => {
      assert.ok(error instanceof InterruptedError);
      assert.match(
        error.message,
        /cancelled by SIGINT while releasing v2 .* the record says v2 is live but not verified/,
      );
      return true;
    });
    assert.equal(store.state.current, 'v2');
    assert.equal(store.state.previous, 'v1');
    assert.equal(store.state.releases.at(-1)?.status, 'interrupted');
  });

  it('interrupted during verification: live and unverified, never "v1 is current" while v2 answers', async () => {
    const store = new MemoryStore(v1Live());
    const cancel = new AbortController();
    const { strategy } = scriptedStrategy(async () => {
      setImmediate(() => cancel.abort(new InterruptedError('cancelled by SIGINT')));
      return wentLive();
    });
    const { deps } = memoryDeps(store, { signal: cancel.signal, runner: versionRunner(() => undefined) });
    await assert.rejects(runRelease(deployRequest(strategy), deps), /while verifying v2/);
    assert.equal(store.state.current, 'v2');
    assert.equal(store.state.releases.at(-1)?.status, 'interrupted');
  });

  it('a driver that failed after an attempt ran: production may have changed; the old version stays current but unverified', async () => {
    const store = new MemoryStore(v1Live());
    const { strategy } = scriptedStrategy(async () => ({
      ok: false,
      reason: 'the deploy command exited 1: it said db password=hunter2',
      attempts: [{ attempt: 1, ok: false, reason: 'exited 1' }],
      facts: {},
      touched: true,
    }));
    const { deps } = memoryDeps(store);
    const outcome = await runRelease(deployRequest(strategy), deps);
    assert.deepEqual(
      [outcome.result, outcome.production, outcome.failedAt],
      ['failed', 'maybe-changed', 'go-live'],
    );
    assert.equal(store.state.current, 'v1');
    assert.equal(store.state.releases.at(-1)?.status, 'failed');
    assert.equal(
      store.state.releases.at(-1)?.reason,
      'the deploy command exited 1',
      'command output is never recorded',
    );
  });

  it('the final write fails (a full disk): the outcome is still what happened, with what could not be recorded', async () => {
    const store = new MemoryStore(v1Live());
    store.failWrite = (_n, state) =>
      state.releases.at(-1)?.status === 'good'
        ? new Error('ENOSPC: no space left on device, write')
        : undefined;
    const { strategy } = scriptedStrategy(wentLive);
    const { deps } = memoryDeps(store, { runner: versionRunner(() => 'v2') });
    const outcome = await runRelease(deployRequest(strategy), deps);
    assert.equal(outcome.result, 'released');
    assert.equal(outcome.production, 'live-verified');
    assert.match(outcome.unrecorded ?? '', /ENOSPC/);
    // What the disk holds is the last write that landed: v2 live, not yet verified. Never "v1 current".
    assert.equal(store.state.current, 'v2');
    assert.equal(store.state.releases.at(-1)?.status, 'deploying');
  });

  it('the first write fails: nothing is changed, the strategy never runs', async () => {
    const store = new MemoryStore(v1Live());
    store.failWrite = () => new Error('ENOSPC: no space left on device, open');
    const { strategy, calls } = scriptedStrategy(wentLive);
    const { deps } = memoryDeps(store);
    await assert.rejects(
      runRelease(deployRequest(strategy), deps),
      /could not record the start of the release, so nothing was changed: ENOSPC/,
    );
    assert.deepEqual(calls, []);
    assert.deepEqual(store.state, v1Live());
  });

  it('a release a killed deploy left deploying is settled first: deploying v1 again is a release, not "unchanged"', async () => {
    const store = new MemoryStore({
      environment: 'production',
      current: 'v1',
      releases: [good('v1'), { version: 'v2', status: 'deploying', startedAt: '2026-11-25T09:30:00.000Z' }],
    });
    const { strategy, calls } = scriptedStrategy(wentLive);
    const { deps } = memoryDeps(store, { runner: versionRunner(() => 'v1') });
    const outcome = await runRelease(deployRequest(strategy, 'v1'), deps);
    assert.equal(outcome.result, 'released');
    assert.deepEqual(calls, ['v1']);
    assert.deepEqual(
      store.state.releases.map((r) => `${r.version}:${r.status}`),
      ['v1:good', 'v2:interrupted', 'v1:good'],
    );
  });

  it('a rollback marks the version it leaves bad and releases the old one through the same steps', async () => {
    const store = new MemoryStore({
      environment: 'production',
      current: 'v2',
      releases: [good('v1'), { version: 'v2', status: 'failed', startedAt: '2026-11-25T09:30:00.000Z' }],
    });
    const { strategy, calls } = scriptedStrategy(wentLive);
    const { deps } = memoryDeps(store, { runner: versionRunner(() => 'v1') });
    const outcome = await runRelease(
      {
        kind: 'rollback',
        target: settings,
        plan: (state) => planRollback(state, { force: false }),
        strategy: () => strategy,
        badReason: (to) => `rolled back to ${to}`,
      },
      deps,
    );
    assert.deepEqual([outcome.result, outcome.version, outcome.from], ['released', 'v1', 'v2']);
    assert.deepEqual(calls, ['v1']);
    assert.deepEqual(
      store.state.releases.map((r) => `${r.version}:${r.status}:${r.kind ?? 'deploy'}`),
      ['v1:good:deploy', 'v2:bad:deploy', 'v1:good:rollback'],
    );
    assert.equal(store.state.current, 'v1');
  });
});
