import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { systemClock } from '../../src/clients/system-clock.ts';
import { FileIssueTracker } from '../../src/incident/file-issue-tracker.ts';
import { type PipelineDeps, type PipelineOutcome, runPipeline } from '../../src/pipeline.ts';
import type { EnvironmentState } from '../../src/ports.ts';
import { loadTextPatternEngine } from '../../src/schema/text-pattern.ts';
import { parsePipelineSettings } from '../../src/settings/pipeline.ts';
import { MemoryStore, memoryDeps } from '../fixtures/memory-release.ts';

// Settings are parsed directly here, as the faces parse them after loading the engine.
await loadTextPatternEngine();

/**
 * The pipeline in-process: a real shell "deploy" that brings an app up or down (a file the health
 * probe tests), state and lock in memory, incidents as Markdown files. Every recovery path.
 */
function world(deployScript: string, state?: EnvironmentState) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pipeline-recovery-'));
  const up = path.join(dir, 'app-up');
  const live = path.join(dir, 'live');
  const store = new MemoryStore(state);
  const run = async (inputs: Record<string, string>): Promise<PipelineOutcome> => {
    const settings = parsePipelineSettings(
      {
        environment: 'production',
        command: deployScript.replaceAll('$UP', up).replaceAll('$LIVE', live),
        attempts: '1',
        'health-probes': `- { name: app, type: command, run: "test -f ${up}" }`,
        'health-count': '1',
        incident: 'file',
        'incident-dir': path.join(dir, 'incidents'),
        ...inputs,
      },
      () => '',
    );
    const { deps } = memoryDeps(store, {
      clock: systemClock,
      runner: new ProcessRunner({ baseEnv: process.env }),
    });
    const pipelineDeps: PipelineDeps = {
      ...deps,
      writeFile: (file, text) => writeFileSync(file, text),
      preflight: { readEnv: () => undefined, mask: () => {} },
      tracker: new FileIssueTracker(path.join(dir, 'incidents')),
    };
    return runPipeline(settings, pipelineDeps);
  };
  const incident = () => {
    const file = path.join(dir, 'incidents', 'incident-1.md');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  return { run, store, incident, up, live };
}

// v1 comes up; "v2-halfway" stops the app, then fails; "v2-early" fails before touching anything.
const script =
  'if [ "$DEPLOY_VERSION" = v2-early ]; then exit 3; fi; rm -f $UP; ' +
  'if [ "$DEPLOY_VERSION" = v2-halfway ]; then exit 1; fi; echo "$DEPLOY_VERSION" > $LIVE; touch $UP';
const stageResults = (outcome: PipelineOutcome) => outcome.stages.map((s) => `${s.name}:${s.result}`);

describe('the pipeline: production is healthy after any failure, and every failure is reported', () => {
  it('a driver that stops the app and then fails: production checked, rolled back, re-verified, incident says so', async () => {
    const w = world(script);
    assert.equal((await w.run({ version: 'v1' })).result, 'deployed');
    const outcome = await w.run({ version: 'v2-halfway' });
    assert.deepEqual(stageResults(outcome), [
      'deploy:failed',
      'check-production:failed',
      'rollback:passed',
      're-verify:passed',
      'incident:passed',
    ]);
    assert.equal(outcome.result, 'rolled-back');
    assert.equal(outcome.failedStage, 'deploy');
    assert.equal(readFileSync(w.live, 'utf8').trim(), 'v1', 'v1 serves again');
    assert.ok(existsSync(w.up));
    assert.match(w.incident(), /\| Rollback \| ✅ succeeded: v1 is serving again \|/);
    assert.equal(w.store.state.current, 'v1');
    assert.equal(w.store.state.releases.at(-1)?.kind, 'rollback');
  });

  it('a driver that fails before touching production: checked, still healthy, no rollback, and said so', async () => {
    const w = world(script);
    await w.run({ version: 'v1' });
    const outcome = await w.run({ version: 'v2-early' });
    assert.deepEqual(stageResults(outcome), ['deploy:failed', 'check-production:passed', 'incident:passed']);
    assert.equal(outcome.result, 'failed');
    assert.match(outcome.message, /v2-early failed at deploy\. v1 still serves, verified\./);
    assert.match(
      w.incident(),
      /\| Rollback \| — not needed: production was checked after the failure and v1 still serves, verified \|/,
    );
    assert.equal(w.store.state.current, 'v1');
  });

  it('the lock is held by another deploy: a failed deploy stage with the holder named, a full report, no incident', async () => {
    const w = world(script);
    w.store.failBegin = () => new Error('"production" is still locked after 2.0 s by pid 4242 on ci-1');
    const outcome = await w.run({ version: 'v1', 'lock-timeout': '2s' });
    w.store.failBegin = () => undefined;
    assert.deepEqual(stageResults(outcome), ['deploy:failed']);
    assert.equal(outcome.failedStage, 'deploy');
    assert.equal(outcome.failure, 'failed');
    assert.match(
      outcome.message,
      /v1 failed at deploy: "production" is still locked after 2\.0 s by pid 4242/,
    );
    assert.equal(w.incident(), '', 'production was not touched');
  });

  it('a version marked bad is refused as bad input (the CLI exits 2), reported as the deploy stage', async () => {
    const w = world(script, {
      environment: 'production',
      current: 'v1',
      releases: [
        { version: 'v1', status: 'good', startedAt: '2026-11-25T09:00:00.000Z' },
        { version: 'v0', status: 'bad', startedAt: '2026-11-25T08:00:00.000Z', reason: 'broke checkout' },
      ],
    });
    const outcome = await w.run({ version: 'v0' });
    assert.deepEqual([outcome.failedStage, outcome.failure], ['deploy', 'configuration']);
    assert.match(outcome.stages[0]!.detail, /v0 is marked bad \(broke checkout\)/);
  });

  it('a failing pre-deploy hook and an unreadable state are failed stages too, production untouched', async () => {
    const w = world(script);
    const hooked = await w.run({ version: 'v1', 'pre-deploy': 'exit 4' });
    assert.deepEqual(stageResults(hooked), ['deploy:failed']);
    assert.match(hooked.message, /the pre-deploy hook exited 4/);
    w.store.read = async () => {
      throw new Error('The deploy state file /x/production.json cannot be read: it is not valid JSON');
    };
    const unreadable = await w.run({ version: 'v1' });
    assert.deepEqual(stageResults(unreadable), ['deploy:failed']);
    assert.match(unreadable.message, /cannot be read: it is not valid JSON/);
  });

  it('a bad release live and failing its health check is rolled back to the version before', async () => {
    const w = world(`${script}; if [ "$DEPLOY_VERSION" = v2-bad ]; then rm -f $UP; fi`);
    await w.run({ version: 'v1' });
    const outcome = await w.run({ version: 'v2-bad' });
    assert.deepEqual(stageResults(outcome), [
      'deploy:passed',
      'health-check:failed',
      'rollback:passed',
      're-verify:passed',
      'incident:passed',
    ]);
    assert.match(outcome.message, /v2-bad failed at health-check\. Rolled back: v1 serves again\./);
  });
});
