import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeGitHub, FULL_TOKEN, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import {
  type MetricsEndpoint,
  type PrometheusServer,
  startMetricsEndpoint,
  startPrometheus,
} from '../fixtures/prometheus.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';

const runnerMetrics = (runner: string, status: number) =>
  `# TYPE runner_status gauge\nrunner_status{runner="${runner}",role="deploy"} ${status}\n` +
  `# TYPE runner_cpu_usage_percent gauge\nrunner_cpu_usage_percent{runner="${runner}",role="deploy"} 20\n` +
  `# TYPE runner_memory_usage_percent gauge\nrunner_memory_usage_percent{runner="${runner}",role="deploy"} 40\n`;
const CANDIDATES =
  '- { name: primary, labels: [self-hosted, linux, primary] }\n- { name: secondary, labels: [self-hosted, linux, secondary] }';

/**
 * Seed 004's scenarios end to end, on real processes: a real Prometheus scraping two runners'
 * metrics, the fake GitHub, a real service whose health follows the deployed version, the root
 * action through the runner harness and the CLI as a person or Jenkins runs it.
 */
describe('seed 004 scenarios (T022–T025), end to end', () => {
  let github: FakeGitHub;
  let service: Awaited<ReturnType<typeof startVersionedService>>;
  let primary: MetricsEndpoint;
  let secondary: MetricsEndpoint;
  let prometheus: PrometheusServer;
  const dir = mkdtempSync(path.join(tmpdir(), 'seed-004-'));
  const live = path.join(dir, 'live-version');
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
    service = await startVersionedService(live);
    primary = await startMetricsEndpoint(runnerMetrics('primary', 1));
    secondary = await startMetricsEndpoint(runnerMetrics('secondary', 1));
    prometheus = await startPrometheus([primary.url, secondary.url]);
  });
  after(async () => {
    await prometheus?.close();
    await primary?.close();
    await secondary?.close();
    await service?.close();
    await github?.close();
  });

  it('T022 healthy primary: gate picks primary, deploy and health pass, Deployments updated, no incident', async () => {
    const step = await runGitHubStep(github, '.', {
      with: {
        environment: 'production',
        version: 'v1.0.0',
        command: `echo "$DEPLOY_VERSION" > ${live}`,
        'state-dir': path.join(dir, 'state-t022'),
        backend: 'github',
        'gate-candidates': CANDIDATES,
        'gate-prometheus-url': prometheus.url,
        'health-probes': `- { name: web, type: http, url: "${service.url}/health" }`,
        'health-count': '3',
        'health-interval': '50ms',
      },
    });

    assert.equal(step.outcome, 'success', step.log);
    const stages = JSON.parse(step.outputs.report!).stages as {
      name: string;
      result: string;
      detail: string;
    }[];
    assert.deepEqual(
      stages.map((s) => `${s.name} ${s.result}`),
      ['gate passed', 'deploy passed', 'health-check passed', 'incident passed'],
    );
    assert.match(stages[0]!.detail, /primary/);
    const [deployment] = github.repo('acme/shop').deployments.filter((d) => d.environment === 'production');
    assert.equal(deployment!.payload.version, 'v1.0.0');
    assert.equal(deployment!.statuses.at(-1)!.state, 'success');
    assert.equal(github.repo('acme/shop').issues.length, 0, 'no incident');
    assertFaithful(github);
  });

  it('T023 failover: primary reports runner_status 0, the gate picks secondary; latency measured', async () => {
    const gate = async () =>
      JSON.parse(
        (
          await runCli([
            'gate',
            `--candidates=${CANDIDATES}`,
            '--prometheus-url',
            prometheus.url,
            '--query-retries',
            '0',
            '--json',
          ])
        ).stdout || '{}',
      );
    assert.equal((await gate()).runner, 'primary');

    const flipped = performance.now();
    primary.set(runnerMetrics('primary', 0));
    let decision = await gate();
    while (decision.runner !== 'secondary' && performance.now() - flipped < 30_000) decision = await gate();
    const latency = performance.now() - flipped;

    console.log(
      `T023 failover latency (runner_status 0 → gate picks secondary, via the CLI): ${Math.round(latency)} ms (scrape interval 1 s; seed bar 30 s)`,
    );
    assert.equal(decision.runner, 'secondary');
    assert.deepEqual(decision.labels, ['self-hosted', 'linux', 'secondary']);
    primary.set(runnerMetrics('primary', 1));
  });

  it('T024 concurrency: three deploys started at once never overlap, all complete in arrival order, none dropped', async () => {
    const stateDir = path.join(dir, 'state-t024');
    const log = path.join(dir, 't024.log');
    writeFileSync(log, '');
    const gate = path.join(dir, 't024.gate');
    // v1 holds the lock until v2 and v3 have arrived (taken their tickets): arrival order is
    // then the order the test started them in, however slow the machine.
    const command = `echo "start $DEPLOY_VERSION" >> ${log}; while [ ! -e ${gate} ]; do sleep 0.02; done; echo "end $DEPLOY_VERSION" >> ${log}`;
    const tickets = async (n: number) => {
      const lockDir = path.join(stateDir, 'queue.lock');
      while (!existsSync(lockDir) || readdirSync(lockDir).filter((f) => f.endsWith('.ticket')).length < n)
        await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const deploy = (version: string) =>
      runCli([
        'deploy',
        '--environment',
        'queue',
        '--version',
        version,
        '--command',
        command,
        '--state-dir',
        stateDir,
      ]);

    const runs: Promise<Awaited<ReturnType<typeof runCli>>>[] = [];
    for (const [i, version] of ['v1', 'v2', 'v3'].entries()) {
      runs.push(deploy(version));
      await tickets(i + 1);
    }
    writeFileSync(gate, '');
    const results = await Promise.all(runs);

    for (const result of results) assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'start v1',
      'end v1',
      'start v2',
      'end v2',
      'start v3',
      'end v3',
    ]);
    const audit = readFileSync(path.join(stateDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      audit.map((e) => `${e.version} ${e.result}`),
      ['v1 deployed', 'v2 deployed', 'v3 deployed'],
    );
    assert.ok(
      results.some((r) => /Waiting for the queue lock/.test(r.stdout + r.stderr)),
      'the later ones waited',
    );
  });

  it('T025 interruption: SIGINT 2 s into a slow deploy; the old version still serves, the record says the new one may be live and is not verified, the lock is free, the next deploy succeeds', async () => {
    const stateDir = path.join(dir, 'state-t025');
    const flags = (version: string, command: string) => [
      'deploy',
      '--environment',
      'slow',
      '--version',
      version,
      '--command',
      command,
      '--state-dir',
      stateDir,
      `--verify-probes=- { name: web, type: http, url: "${service.url}/health" }`,
    ];
    const fast = `echo "$DEPLOY_VERSION" > ${live}`;
    assert.equal((await runCli(flags('v1.0.0', fast))).code, 0);

    const interrupted = await runCli(flags('v2.0.0', `sleep 30; ${fast}`), {}, { interruptAfterMs: 2000 });
    const { code } = interrupted;
    const output = `${interrupted.stdout}${interrupted.stderr}`;

    assert.equal(code, 130, output);
    assert.match(output, /the record says v2\.0\.0 is live but not verified, and the lock is released/);
    assert.equal(readFileSync(live, 'utf8').trim(), 'v1.0.0');
    assert.equal(
      (await fetch(`${service.url}/health`)).status,
      200,
      'production serves the old version, healthy',
    );
    const status = JSON.parse(
      (await runCli(['status', '--environment', 'slow', '--state-dir', stateDir, '--json'])).stdout,
    );
    // The driver had begun, so the record cannot claim v1.0.0 still serves: it names v2.0.0, unverified.
    assert.equal(status.current, 'v2.0.0');
    assert.equal(status.verified, false);
    assert.equal(status.releases[0].status, 'interrupted');
    assert.equal(status.lock, undefined, 'the lock is free');
    const next = await runCli(flags('v2.0.1', fast));
    assert.equal(next.code, 0, next.stderr);
    assert.equal(readFileSync(live, 'utf8').trim(), 'v2.0.1');
  });

  it('a bad release through the CLI with GitHub incidents: rolled back, incident opened; the next good deploy closes it', async () => {
    const env = { GITHUB_API_URL: github.url, GITHUB_TOKEN: FULL_TOKEN, GITHUB_REPOSITORY: 'acme/shop' };
    const flags = (version: string) => [
      'run',
      '--environment',
      'eu-prod',
      '--version',
      version,
      '--command',
      `echo "$DEPLOY_VERSION" > ${live}`,
      '--state-dir',
      path.join(dir, 'state-incident'),
      `--health-probes=- { name: web, type: http, url: "${service.url}/health" }`,
      '--health-count',
      '2',
      '--health-interval',
      '50ms',
    ];
    assert.equal((await runCli(flags('v1.0.0'), env)).code, 0);

    const bad = await runCli([...flags('v2.0.0-bad'), '--json'], env);
    const report = JSON.parse(bad.stdout);
    const issue = github.repo('acme/shop').issues.find((i) => i.number === report.incident.number)!;
    const good = await runCli(flags('v2.0.1'), env);

    assert.equal(bad.code, 1);
    assert.equal(report.result, 'rolled-back');
    assert.match(issue.title, /eu-prod v2\.0\.0-bad failed at health-check, rolled back to v1\.0\.0/);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(issue.state, 'closed');
    assertFaithful(github);
  });
});
