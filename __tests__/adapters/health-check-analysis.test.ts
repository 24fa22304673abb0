import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Answer, type ScriptedServer, startScriptedServer } from '../fixtures/scripted-server.ts';
import { runStep } from '../harness/run-action.ts';

interface Report {
  verdict: string;
  probes: {
    name: string;
    verdict: string;
    reason: string;
    dryRun?: boolean;
    measurements: { phase: string }[];
  }[];
}

/**
 * The action, run from dist/ as the runner runs it, against a server that answers by request
 * number: Argo's semantics on the measurements users meet (flapping, lone timeouts, error
 * streaks, the streak alone, inconclusive answers), each compared with what Argo decides.
 */
describe('health-check judges scripted answers as Argo Rollouts would', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer();
  });
  after(() => server.close());

  /** One probe `name` playing `script`, judged with `limits` (YAML flow fields). */
  async function analyse(name: string, script: readonly Answer[], limits: string, extra = '') {
    const url = server.url(name, script);
    const step = await runStep('health-check', {
      with: {
        probes: `- { name: ${name}, type: http, url: "${url}", ${limits} }${extra}`,
        interval: '20ms',
        timeout: '300ms',
      },
    });
    const report = JSON.parse(step.outputs.report ?? '{}') as Report;
    const phases = report.probes?.[0]?.measurements.map((m) => m.phase[0]!.toUpperCase()).join('');
    return { step, report, phases, result: step.outputs.result, requests: server.requests(name) };
  }

  it('flapping 200, 500, 200, 500 with failure-limit 1: failed at the second 500', async () => {
    const run = await analyse('flapping', [200, 500], 'count: 5, failure-limit: 1');
    assert.equal(run.result, 'failed', run.step.log);
    assert.equal(run.phases, 'SFSF');
    assert.equal(run.requests, 4, 'nothing is measured after the decision');
    assert.equal(run.step.outcome, 'failure');
  });

  it('200, 200, 500, 500, 200 with consecutive-successes 3: failed at the second 500 (was inconclusive at the first)', async () => {
    const run = await analyse(
      'issue-sequence',
      [200, 200, 500, 500, 200],
      'count: 5, failure-limit: 1, consecutive-successes: 3',
    );
    assert.equal(run.result, 'failed', run.step.log);
    assert.equal(run.phases, 'SSFF');
    assert.match(run.report.probes[0]!.reason, /failed \(2\) > failure-limit \(1\)/);
  });

  it('lone timeouts between healthy answers are retried and do not count: successful after 5 counted', async () => {
    const script: Answer[] = [200, 'timeout', 200, 'timeout', 200, 'timeout', 200, 'timeout', 200];
    const run = await analyse('lone-timeouts', script, 'count: 5');
    assert.equal(run.result, 'successful', run.step.log);
    assert.equal(run.phases, 'SESESESES');
    assert.equal(run.step.outcome, 'success');
  });

  it('200, timeout, 200, 500 with count 3: the timeout did not use up the count, so the 500 fails it', async () => {
    const run = await analyse('timeout-then-500', [200, 'timeout', 200, 500], 'count: 3');
    assert.equal(run.result, 'failed', run.step.log);
    assert.equal(run.phases, 'SESF');
  });

  it('a streak of errors (resets): four in a row are retried, the fifth makes the probe an error', async () => {
    const recovering = await analyse(
      'recovering',
      ['reset', 'reset', 'reset', 'reset', 200, 200],
      'count: 2',
    );
    assert.equal(recovering.result, 'successful', recovering.step.log);
    assert.equal(recovering.phases, 'EEEESS');
    const down = await analyse('down', [200, 'reset', 'reset', 'reset', 'reset', 'reset'], 'count: 3');
    assert.equal(down.result, 'error', down.step.log);
    assert.equal(down.phases, 'SEEEEE');
    assert.match(down.report.probes[0]!.reason, /errors in a row \(5\) > consecutive-error-limit \(4\)/);
    assert.equal(down.requests, 6);
  });

  it('the streak alone judges (failure-limit -1): failures while warming up, then three in a row succeed', async () => {
    const warming = await analyse(
      'warming',
      [503, 503, 503, 200, 200, 200],
      'count: 8, failure-limit: -1, consecutive-successes: 3',
    );
    assert.equal(warming.result, 'successful', warming.step.log);
    assert.equal(warming.phases, 'FFFSSS');
    const neverSteady = await analyse(
      'never-steady',
      [200, 503],
      'count: 6, failure-limit: -1, consecutive-successes: 3',
    );
    assert.equal(neverSteady.result, 'failed', neverSteady.step.log);
    assert.equal(neverSteady.phases, 'SFSFSF');
    assert.match(neverSteady.report.probes[0]!.reason, /3 consecutive successes were not reached/);
  });

  it('count unbounded: measured past any count until three in a row succeed', async () => {
    const slow = await analyse(
      'slow-start',
      [503, 503, 503, 503, 503, 503, 503, 200, 200, 200],
      'count: unbounded, failure-limit: 7, consecutive-successes: 3',
    );
    assert.equal(slow.result, 'successful', slow.step.log);
    assert.equal(slow.phases, 'FFFFFFFSSS');
  });

  it('inconclusive answers (fail-when 5xx; a 404 is neither): beyond inconclusive-limit the probe is inconclusive', async () => {
    const run = await analyse(
      'half-deployed',
      [200, 404, 200, 404],
      'count: 5, inconclusive-limit: 1, fail-when: { status: 5xx }',
    );
    assert.equal(run.result, 'inconclusive', run.step.log);
    assert.equal(run.phases, 'SISI');
    assert.equal(run.step.outcome, 'failure', 'only successful passes the step');
  });

  it('a dry-run probe that fails is reported and decides nothing', async () => {
    const healthy = server.url('counted', [200]);
    const run = await analyse(
      'trial',
      [500],
      'dry-run: true',
      `\n- { name: counted, type: http, url: "${healthy}" }`,
    );
    assert.equal(run.result, 'successful', run.step.log);
    assert.deepEqual(
      run.report.probes.map((p) => [p.name, p.verdict, p.dryRun ?? false]),
      [
        ['trial', 'failed', true],
        ['counted', 'successful', false],
      ],
    );
    assert.match(run.step.summary, /❌ failed \(dry run\)/);
    assert.match(run.step.log, /dry runs, which decide nothing: trial failed/);
  });
});
