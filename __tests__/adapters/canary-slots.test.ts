import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haproxyCommand, parseServersState } from '../../src/clients/haproxy-runtime.ts';
import { getJson, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { canaryAnalysis } from '../fixtures/canary-analysis.ts';
import { type Haproxy, startHaproxy } from '../fixtures/haproxy.ts';
import { type LoadReport, startLoad } from '../fixtures/load.ts';
import { type PrometheusServer, startPrometheus } from '../fixtures/prometheus.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { freePort, isRunning } from '../fixtures/test-service.ts';
import { runPostStep, runStep, type StepOptions, type StepResult } from '../harness/run-action.ts';

/**
 * A canary on two slots behind a real HAProxy, judged by a real Prometheus scraping HAProxy's
 * own exporter and the slots' /metrics every second, under users' traffic (a bounded load
 * generator on /). The sample service's canary builds fail a fraction of users' requests, or are
 * slower, while their health stays UP: what the check on the slot cannot see and real traffic shows.
 */
describe('deploy action, strategy canary on slots behind a real HAProxy, judged by a real Prometheus', () => {
  let dir: string;
  let slots: { blue: number; green: number };
  let haproxy: Haproxy;
  let prometheus: PrometheusServer;
  let scrapesNothing: PrometheusServer;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'canary-'));
    slots = { blue: await freePort(), green: await freePort() };
    haproxy = await startHaproxy(slots, 'blue');
    prometheus = await startPrometheus([
      haproxy.metricsUrl,
      `http://127.0.0.1:${slots.blue}/metrics`,
      `http://127.0.0.1:${slots.green}/metrics`,
    ]);
    scrapesNothing = await startPrometheus([]);
    // The first release: nothing to compare a canary with, so it is switched to, as blue-green does.
    const first = await deploy('v1.0.0');
    assert.equal(first.outputs.result, 'deployed', first.log);
    assert.match(first.log, /no stable version to compare a canary with/);
  });
  after(async () => {
    await scrapesNothing?.close();
    await prometheus?.close();
    await haproxy?.close();
    for (const slot of ['blue', 'green'])
      try {
        process.kill(pidOf(slot));
      } catch {
        // not started, or stopped
      }
  });

  /** `metrics`: YAML list lines, indented. */
  const analysis = (metrics: string, more: Record<string, string> = {}) =>
    canaryAnalysis(prometheus.url, `\n${metrics}`, more);
  const ERRORS = '  - { template: error-ratio, max: 5% }';
  const target = (extra: Record<string, string> = {}) => ({
    environment: 'production',
    command: START_SLOT,
    strategy: 'canary',
    slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    'haproxy-socket': haproxy.socket,
    'haproxy-backend': haproxy.backend,
    'drain-timeout': '2s',
    'stop-command': 'kill "$(cat "$SLOTS_DIR/$DEPLOY_SLOT.pid")"',
    'scale-down-delay': '200ms',
    'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
    'version-url': '{slot_url}/version',
    'state-dir': path.join(dir, 'state'),
    attempts: '1',
    'canary-steps': '[{set-weight: 20}, {pause: 3s}, {set-weight: 50}, {pause: 3s}]',
    'canary-analysis': analysis(ERRORS),
    ...extra,
  });
  const env = () => ({ SLOTS_DIR: dir, SERVICE });
  const deploy = (version: string, extra: Record<string, string> = {}, options: StepOptions = {}) =>
    runStep('deploy', { with: { ...target(extra), version }, env: env(), hardTimeoutMs: 90_000, ...options });
  const control = (action: 'promote' | 'abort', extra: Record<string, string> = {}) =>
    runStep(action, { with: target(extra), env: env(), hardTimeoutMs: 60_000 });
  const state = () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
  const pidOf = (slot: string) => Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8'));
  const live = async () => (await getJson(`${haproxy.url}/version`)).version;
  /** Each server's weight if it is in rotation (HAProxy's own answer), else 0. */
  const servers = async () => {
    const read = parseServersState(await haproxyCommand(haproxy.socket, 'show servers state app'), 'app');
    return Object.fromEntries(
      [...read].map(([name, server]) => [name, server.adminState & 0x01 ? 0 : server.weight]),
    );
  };
  const stable = () =>
    state().releases.findLast((r: { status: string }) => r.status === 'good').slot as string;
  const failedShare = (load: LoadReport) => load.failed / (load.ok + load.failed);
  /** A step run under users' load, with the time each log line was seen. */
  const underLoad = async (run: (onLine: (line: string) => void) => Promise<StepResult>, clients = 4) => {
    const seen: { at: number; line: string }[] = [];
    const users = startLoad(`${haproxy.url}/`, clients, 5);
    const began = Date.now();
    const step = await run((line) => seen.push({ at: Date.now(), line }));
    const tookMs = Date.now() - began;
    const load = await users.stop();
    const when = (pattern: RegExp) => seen.find((entry) => pattern.test(entry.line))?.at;
    return { step, load, tookMs, when };
  };
  const split = (shares: Record<string, number>) => shares;

  it('a healthy canary through every step under load: 0 failed requests, the split read back at each weight, then all traffic on it', async () => {
    const canary = stable() === 'blue' ? 'green' : 'blue';
    const seenSplits: Promise<Record<string, number>>[] = [];
    const { step, load } = await underLoad((onLine) =>
      deploy(
        'v2.0.0',
        {
          'canary-steps':
            '[{set-weight: 20}, {pause: 2s}, {set-weight: 50}, {analysis: {count: 2}}, {pause: 1s}]',
        },
        {
          onLine(line) {
            onLine(line);
            if (/Step \d: the canary gets/.test(line)) seenSplits.push(servers());
          },
        },
      ),
    );
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.equal(
      load.failed,
      0,
      `failed: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
    );
    assert.ok(load.ok > 200, `only ${load.ok} requests were made`);
    assert.equal(step.outputs.canary, 'promoted after step 5 of 5');
    // HAProxy's own weights at each step, and at the end: the canary alone, at its configured weight.
    const [at20, at50] = await Promise.all(seenSplits);
    assert.equal(at20![canary], 20, JSON.stringify(at20));
    assert.equal(at50![canary], 50, JSON.stringify(at50));
    assert.deepEqual(split(await servers()), { [canary]: 1, [canary === 'blue' ? 'green' : 'blue']: 0 });
    assert.equal(await live(), 'v2.0.0');
    const newest = state().releases.at(-1);
    assert.deepEqual(
      [newest.version, newest.status, newest.phase, newest.slot],
      ['v2.0.0', 'good', 'live', canary],
    );
    // The old slot drained, then stopped after scale-down-delay (200 ms, served in the run).
    const old = canary === 'blue' ? 'green' : 'blue';
    assert.ok(!isRunning(pidOf(old)), `the old slot ${old} was stopped`);
    // The summary: every step with its weight and what the analysis measured, and the chart.
    for (const row of [
      /^\| 1 \| set-weight 20 \| 20 % \|/,
      /^\| 4 \| analysis \| 50 % \| .* \| done: successful/,
    ])
      assert.ok(
        step.summary.split('\n').some((line) => row.test(line)),
        step.summary,
      );
    assert.match(step.summary, /error-ratio max successful: canary 0 % ≤ max 5 %/);
    assert.match(step.summary, /```mermaid\nxychart-beta/);
  });

  it('a canary failing 20 % of requests: aborted by the first analysis that decides, weight 0, slot stopped, marked bad; the blast radius stays within weight × time', async () => {
    const canary = stable() === 'blue' ? 'green' : 'blue';
    writeFileSync(path.join(dir, 'fails-v3.0.0'), '0.2');
    const { step, load, tookMs, when } = await underLoad((onLine) => deploy('v3.0.0', {}, { onLine }));
    assert.equal(step.outputs.result, 'failed', step.log);
    assert.equal(step.outputs.canary, 'aborted at step 2 of 4 (20 %)');
    const report = JSON.parse(step.outputs.report!);
    assert.match(
      report.message,
      /the background analysis failed: error-ratio max: canary \d+(\.\d+)? % > max 5 %/,
    );
    assert.match(report.message, /The canary's share of users is back on v2\.0\.0, which is still current/);
    assert.equal(await live(), 'v2.0.0');
    assert.equal((await servers())[canary], 0, 'the canary gets no traffic');
    assert.ok(!isRunning(pidOf(canary)), 'the canary slot was stopped');
    const newest = state().releases.at(-1);
    assert.deepEqual([newest.version, newest.status, newest.neverLive], ['v3.0.0', 'bad', true]);
    assert.equal(state().current, 'v2.0.0');
    // Blast radius: the users the canary failed, over all users during the release. It reached
    // 20 % of them while it had weight; a fifth of those failed.
    const weighted = when(/Step 1: the canary gets 20 %/)!;
    const zero = when(/The canary on \w+ gets no new traffic/)!;
    const bound = 0.2 * ((zero - weighted) / tookMs) + 0.01;
    assert.ok(load.failed > 0, 'users did meet the canary');
    assert.ok(failedShare(load) <= bound, `blast radius ${failedShare(load)} > ${bound}`);
    assert.match(
      step.summary,
      /\| 2 \| pause 3\.0 s \| 20 % \| .* \| aborted \| error-ratio max failed: canary/,
    );
  });

  it('right after, a healthy canary in the same slot is judged on its own requests: the window never reaches back before its first weight', async () => {
    // The slot's HAProxy server still counts the failed canary's 500s from seconds ago.
    const { step, load } = await underLoad(() =>
      deploy('v3.1.0', {
        'canary-steps': '[{set-weight: 20}, {pause: 3s}]',
        'canary-analysis': analysis(ERRORS, { 'initial-delay': '0s', 'inconclusive-limit': '5' }),
      }),
    );
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.equal(load.failed, 0);
  });

  it('a canary 200 ms slower than stable, against a comparison: aborted; the same slowness on both (a slow backend) is not', async () => {
    const latency = analysis('  - { template: app-latency, max-times-stable: 1.5 }');
    writeFileSync(path.join(dir, 'slow-v4.0.0'), '200');
    const slower = await underLoad(() => deploy('v4.0.0', { 'canary-analysis': latency }), 16);
    assert.equal(slower.step.outputs.result, 'failed', slower.step.log);
    assert.match(
      JSON.parse(slower.step.outputs.report!).message,
      /app-latency max-times-stable: canary \d+ ms > stable \d+ ms × 1\.5/,
    );
    assert.equal(state().releases.at(-1).status, 'bad');
    // A slow backend: stable becomes slow too (judged on errors only), then a canary as slow as it.
    writeFileSync(path.join(dir, 'slow-v4.1.0'), '200');
    writeFileSync(path.join(dir, 'slow-v4.2.0'), '200');
    const slowStable = await underLoad(() => deploy('v4.1.0'), 16);
    assert.equal(slowStable.step.outputs.result, 'deployed', slowStable.step.log);
    const asSlow = await underLoad(() => deploy('v4.2.0', { 'canary-analysis': latency }), 16);
    assert.equal(asSlow.step.outputs.result, 'deployed', asSlow.step.log);
    assert.match(
      asSlow.step.summary,
      /app-latency max-times-stable successful: canary \d+ ms ≤ stable \d+ ms × 1\.5/,
    );
  });

  it('no data (a Prometheus scraping nothing) and too few requests: inconclusive, aborted, never promoted, not marked bad', async () => {
    const before = await live();
    const noData = await underLoad(() =>
      deploy('v5.0.0', { 'canary-analysis': analysis(ERRORS, { prometheus: scrapesNothing.url }) }),
    );
    assert.equal(noData.step.outputs.result, 'failed', noData.step.log);
    assert.match(
      JSON.parse(noData.step.outputs.report!).message,
      /analysis was inconclusive \(never promoted on that\): error-ratio max: 0 canary requests in the window/,
    );
    assert.deepEqual([state().releases.at(-1).status, await live()], ['aborted', before]);
    // No users at all: the canary serves no one, which proves nothing.
    const fewRequests = await deploy('v5.0.0');
    assert.equal(fewRequests.outputs.result, 'failed', fewRequests.log);
    assert.match(
      JSON.parse(fewRequests.outputs.report!).message,
      /fewer than min-requests \(10\): too few to judge/,
    );
    assert.deepEqual([state().releases.at(-1).status, await live()], ['aborted', before]);
  });

  it('Prometheus unreachable: the analysis cannot measure, and the canary is aborted (fail closed)', async () => {
    const before = await live();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { step } = await underLoad(() =>
      deploy('v6.0.0', {
        'canary-analysis': analysis(ERRORS, { prometheus: closed, 'consecutive-error-limit': '1' }),
      }),
    );
    assert.equal(step.outputs.result, 'failed', step.log);
    assert.match(JSON.parse(step.outputs.report!).message, /analysis could not measure \(failing closed\)/);
    assert.deepEqual([state().releases.at(-1).status, await live()], ['aborted', before]);
  });

  it('pause: {} waits for a person: a second process promotes one canary, and aborts another', async () => {
    const steps = { 'canary-steps': '[{set-weight: 25}, {pause: {}}, {set-weight: 60}, {pause: 1s}]' };
    const canary = stable() === 'blue' ? 'green' : 'blue';
    const users = startLoad(`${haproxy.url}/`, 4, 5);
    const paused = await deploy('v7.0.0', steps);
    assert.equal(paused.outputs.result, 'paused', paused.log);
    assert.equal(paused.outputs.canary, 'paused at step 2 of 4 (25 %)');
    assert.equal((await servers())[canary], 25, 'the split stays while it waits');
    assert.deepEqual(
      [state().releases.at(-1).status, state().releases.at(-1).canary],
      ['paused', { step: 1, weight: 25 }],
    );
    const status = await runCli(
      ['status', '--environment=production', `--state-dir=${path.join(dir, 'state')}`],
      env(),
    );
    assert.match(
      status.stdout,
      new RegExp(
        `slot ${canary}: v7\\.0\\.0 canary with 25 % of the traffic at step 2, paused \\(promote goes on with its steps, abort takes its traffic back\\), verified on its slot`,
      ),
    );
    const promoted = await control('promote', steps);
    assert.equal(promoted.outputs.result, 'promoted', promoted.log);
    assert.match(promoted.log, /Step 2: promoted, the pause ends/);
    assert.match(promoted.log, /Step 3: the canary gets 60 % of the traffic/);
    assert.equal(await live(), 'v7.0.0');

    const next = canary === 'blue' ? 'green' : 'blue';
    assert.equal((await deploy('v8.0.0', steps)).outputs.result, 'paused');
    assert.equal((await servers())[next], 25);
    const aborted = await control('abort', steps);
    assert.equal(aborted.outputs.result, 'aborted', aborted.log);
    const load = await users.stop();
    assert.equal(load.failed, 0, `failed: ${load.failed}: ${load.samples.join('; ')}`);
    assert.equal((await servers())[next], 0);
    assert.equal(await live(), 'v7.0.0');
    assert.equal(state().releases.at(-1).status, 'aborted');

    // A canary whose slot died while it waited: promote looks at the slot before giving it more
    // users, and takes its share back instead; the version is not blamed for a dead process.
    assert.equal((await deploy('v8.1.0', steps)).outputs.result, 'paused');
    process.kill(pidOf(next));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const dead = await control('promote', steps);
    assert.equal(dead.outputs.result, 'failed', dead.log);
    assert.match(JSON.parse(dead.outputs.report!).message, new RegExp(`on slot ${next}, where it waited, `));
    assert.equal((await servers())[next], 0);
    assert.equal(await live(), 'v7.0.0');
    assert.equal(
      state().releases.some(
        (r: { version: string; status: string }) => r.version === 'v8.1.0' && r.status === 'bad',
      ),
      false,
    );
  });

  it('the dry run says the steps and each analysis, asks Prometheus, and changes nothing', async () => {
    const before = {
      state: readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'),
      servers: await servers(),
    };
    const dry = await deploy('v12.0.0', {
      'dry-run': 'true',
      'canary-steps': '[{set-weight: 10}, {pause: 1m}, {analysis: {count: 2}}]',
    });
    assert.equal(dry.outputs.result, 'dry-run', dry.log);
    assert.match(dry.log, /canary: {6}set-weight 10 → pause 1 m 0 s → analysis → 100 %/);
    assert.match(
      dry.log,
      /analysis: {4}background: error-ratio max, every 1\.0 s \(until promotion\) over 3\.0 s windows, at least 10 requests; Prometheus at 127\.0\.0\.1:\d+ answers/,
    );
    assert.match(dry.log, /analysis: {4}step 3: error-ratio max, every 1\.0 s \(2 measurements\)/);
    assert.deepEqual(await servers(), before.servers);
    assert.equal(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'), before.state);
  });

  it('a paused canary not promoted within canary-timeout: a promote from the terminal aborts it instead', async () => {
    const before = await live();
    const canary = stable() === 'blue' ? 'green' : 'blue';
    const inputs = {
      'canary-steps': '[{set-weight: 10}, {pause: {}}, {set-weight: 50}]',
      'canary-timeout': '1s',
    };
    assert.equal((await deploy('v10.0.0', inputs)).outputs.result, 'paused');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const flags = Object.entries(target(inputs)).map(([name, value]) => `--${name}=${value}`);
    const late = await runCli(['promote', ...flags], env());
    assert.notEqual(late.code, 0, late.stdout);
    assert.match(late.stdout + late.stderr, /longer than canary-timeout \(1\.0 s\)/);
    assert.equal((await servers())[canary], 0);
    assert.equal(await live(), before);
    const ended = state().releases.at(-1);
    assert.deepEqual([ended.kind, ended.status], ['promote', 'aborted']);
    // Nothing waits any more: a second promote says so.
    const again = await runCli(['promote', ...flags], env());
    assert.match(again.stdout + again.stderr, /nothing in production waits for promotion/);
  });

  it('a secret in an analysis probe (a Prometheus token) reaches neither the record, the outputs nor the summary', async () => {
    const SECRET = 'prom-token-8c1f0e77';
    const step = await underLoad(() =>
      deploy('v11.0.0', {
        'canary-steps': '[{set-weight: 50}, {pause: 3s}]',
        'canary-analysis': analysis(
          `${ERRORS}\n  - { name: up, type: promql, prometheus: "${prometheus.url}", query: "up", headers: { Authorization: "Bearer ${SECRET}" }, expect: { value: ">= 0" } }`,
        ),
      }),
    );
    assert.equal(step.step.outputs.result, 'deployed', step.step.log);
    const recorded = readdirSync(path.join(dir, 'state'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
    assert.ok(recorded.length >= 2, 'the state and the audit log');
    for (const [where, text] of [
      ['log', step.step.log],
      ['summary', step.step.summary],
      ['outputs', JSON.stringify(step.step.outputs)],
      ['state', recorded.join('\n')],
    ])
      assert.ok(!text!.includes(SECRET), `the secret is in the ${where}`);
  });

  it('cancelled (SIGINT) or killed (-9) mid-canary: all traffic back on stable, and the record says the canary was aborted', async () => {
    const before = await live();
    const canary = stable() === 'blue' ? 'green' : 'blue';
    const long = { 'canary-steps': '[{set-weight: 30}, {pause: 1m}]' };
    const cancelled = await deploy('v9.0.0', long, { cancelWhen: /Step 1: the canary gets 30 %/ });
    assert.equal(cancelled.outcome, 'cancelled', cancelled.log);
    assert.equal((await servers())[canary], 0);
    assert.equal(await live(), before);
    const left = state().releases.at(-1);
    assert.deepEqual([left.version, left.status], ['v9.0.0', 'aborted']);
    assert.match(left.reason, /mid-canary: the canary was aborted, all traffic put back on the stable slot/);

    const killed = await deploy('v9.1.0', long, { killWhen: /Step 1: the canary gets 30 %/ });
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal((await servers())[canary], 30, 'a killed deploy left its split');
    // The next action on the environment puts the traffic back first.
    const next = await deploy(before);
    assert.equal(next.outputs.result, 'unchanged', next.log);
    assert.equal((await servers())[canary], 0);
    const abandoned = state().releases.findLast((r: { version: string }) => r.version === 'v9.1.0');
    assert.equal(abandoned.status, 'aborted');
    assert.match(abandoned.reason, /mid-canary: the canary was aborted/);
    assert.equal(state().current, before);

    // Killed again, and this time the step's post step runs, as the runner runs it after a kill.
    const again = await deploy('v9.2.0', long, { killWhen: /Step 1: the canary gets 30 %/ });
    assert.equal((await servers())[canary], 30);
    const post = await runPostStep('deploy', again);
    assert.equal(post.outcome, 'success', post.log);
    assert.match(post.log, /put the canary's traffic back on \w+ and recorded v9\.2\.0 aborted/);
    assert.equal((await servers())[canary], 0);
    assert.equal(await live(), before);
    assert.deepEqual(
      [state().releases.at(-1).version, state().releases.at(-1).status],
      ['v9.2.0', 'aborted'],
    );
  });
});
