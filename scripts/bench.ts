/**
 * `npm run bench`: speed as ratios to a peer measured in the same run (these machines are
 * shared and noisy, so absolute times mean little). Prints a table; asserts nothing.
 *
 *   1. cold start: `node dist/health-check/index.js` checking one TCP port, vs bare `node -e ''`
 *      (goal: ≤ 60 ms over it)
 *   2. fan-out: 200 HTTP endpoints checked at once vs one (goal: ≤ 2× the time of one)
 *   3. a no-op deploy (`command: true`) through the deploy action, with its lock and state
 *      writes, vs bare `node -e ''` (goal: ≤ 100 ms over it)
 *   4. incident-issue resolving nothing (octokit loaded, one request to a local fake GitHub)
 *      vs bare `node -e ''`: what the GitHub client costs an action at start-up
 *   5. the size of dist/ (every action, the CLI and their shared chunks; goal ≤ 1.5 MB)
 *   6. every other action's cold start on a small real job, vs bare `node -e ''`
 *   7. the whole pipeline (root action) on a no-op deploy with a one-probe health check
 *      (goal ≤ 1.5 s), and the demo's bad-release-to-recovered time (goal ≤ 10 s)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FULL_TOKEN, startFakeGitHub } from '../__tests__/fixtures/fake-github/server.ts';

const root = path.resolve(import.meta.dirname, '..');
const action = path.join(root, 'dist', 'health-check', 'index.js');

/** Wall time of one process run, from spawn to exit; fails loudly if it did not succeed. */
function timeRun(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`exit ${code}: ${stderr}`)),
    );
  });
}

/** The environment the runner gives an action, with `with:` values as INPUT_*. */
function actionEnv(inputs: Record<string, string>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-'));
  const files = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY'];
  const env: NodeJS.ProcessEnv = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir, RUNNER_TEMP: dir };
  for (const name of files) {
    env[name] = path.join(dir, name);
    writeFileSync(env[name]!, '');
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs `a` and `b` alternately `rounds` times (so drift hits both alike) and returns their medians. */
async function compare(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  await a();
  await b();
  for (let i = 0; i < rounds; i++) {
    times[0].push(await a());
    times[1].push(await b());
  }
  return [median(times[0]), median(times[1])];
}

const tcp = net.createServer((socket) => socket.end());
await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
const tcpPort = (tcp.address() as AddressInfo).port;

// A service that takes 50 ms per answer, like a real one behind a network.
const service = http.createServer((_req, res) => setTimeout(() => res.end('{"status":"UP"}'), 50));
service.maxConnections = 10_000;
await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', 1024, resolve));
const base = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
const endpoints = (n: number) =>
  Array.from({ length: n }, (_, i) => `- { name: ep${i}, type: http, url: "${base}/health/${i}" }`).join(
    '\n',
  );

const rows: string[][] = [];

const [bare, cold] = await compare(
  25,
  () => timeRun(['-e', '']),
  () =>
    timeRun(
      [action],
      actionEnv({ probes: `- { name: port, type: tcp, host: 127.0.0.1, port: ${tcpPort} }`, count: '1' }),
    ),
);
rows.push([
  'cold start: health-check (1 TCP probe) vs node -e ""',
  `${cold.toFixed(0)} ms vs ${bare.toFixed(0)} ms`,
  `+${(cold - bare).toFixed(0)} ms`,
  '≤ +60 ms',
]);

const fanOut = { count: '3', interval: '200ms' };
const [one, many] = await compare(
  7,
  () => timeRun([action], actionEnv({ probes: endpoints(1), ...fanOut })),
  () => timeRun([action], actionEnv({ probes: endpoints(200), ...fanOut })),
);
rows.push([
  '200 HTTP endpoints vs 1 (count 3, interval 200ms, 50 ms each)',
  `${many.toFixed(0)} ms vs ${one.toFixed(0)} ms`,
  `${(many / one).toFixed(2)}×`,
  '≤ 2×',
]);

const deployAction = path.join(root, 'dist', 'deploy', 'index.js');
const stateDir = mkdtempSync(path.join(tmpdir(), 'bench-state-'));
let n = 0;
const [bareAgain, noop] = await compare(
  15,
  () => timeRun(['-e', '']),
  // A new version each time, so every run really deploys (lock, state written twice, audit).
  () =>
    timeRun(
      [deployAction],
      actionEnv({ environment: 'bench', version: `v1.0.${n++}`, command: 'true', 'state-dir': stateDir }),
    ),
);
rows.push([
  'no-op deploy (command: true) vs node -e ""',
  `${noop.toFixed(0)} ms vs ${bareAgain.toFixed(0)} ms`,
  `+${(noop - bareAgain).toFixed(0)} ms`,
  '≤ +100 ms',
]);

const github = await startFakeGitHub({ repos: ['acme/shop'] });
const incidentAction = path.join(root, 'dist', 'incident-issue', 'index.js');
const [bareOnceMore, incident] = await compare(
  15,
  () => timeRun(['-e', '']),
  () =>
    timeRun([incidentAction], {
      ...actionEnv({
        mode: 'resolve',
        environment: 'bench',
        'github-token': FULL_TOKEN,
        repository: 'acme/shop',
      }),
      GITHUB_API_URL: github.url,
    }),
);
rows.push([
  'incident-issue resolve, nothing open (fake GitHub) vs node -e ""',
  `${incident.toFixed(0)} ms vs ${bareOnceMore.toFixed(0)} ms`,
  `+${(incident - bareOnceMore).toFixed(0)} ms`,
  '(measured)',
]);
await github.close();

/** One row: an action's median cold start against bare node, run alternately. */
async function coldStartRow(label: string, run: () => Promise<number>, goal = '(measured)'): Promise<void> {
  const [bareNode, action] = await compare(10, () => timeRun(['-e', '']), run);
  rows.push([
    label,
    `${action.toFixed(0)} ms vs ${bareNode.toFixed(0)} ms`,
    `+${(action - bareNode).toFixed(0)} ms`,
    goal,
  ]);
}
const dist = (name: string) => path.join(root, 'dist', name, 'index.js');

await coldStartRow('cold start: preflight (one command check) vs node -e ""', () =>
  timeRun([dist('preflight')], actionEnv({ checks: '- { type: command, command: sh }' })),
);
const exporter = http.createServer((_req, res) =>
  res.end(
    'runner_status{runner="a"} 1\nrunner_cpu_usage_percent{runner="a"} 5\nrunner_memory_usage_percent{runner="a"} 5\n',
  ),
);
await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
const exporterUrl = `http://127.0.0.1:${(exporter.address() as AddressInfo).port}/metrics`;
await coldStartRow('cold start: runner-health-gate (one scraped runner) vs node -e ""', () =>
  timeRun(
    [dist('runner-health-gate')],
    actionEnv({ candidates: `- { name: a, labels: [a], metrics-url: "${exporterUrl}" }` }),
  ),
);
exporter.close();
const rollbackState = mkdtempSync(path.join(tmpdir(), 'bench-rollback-'));
for (const version of ['v1', 'v2'])
  await timeRun(
    [deployAction],
    actionEnv({ environment: 'bench', version, command: 'true', 'state-dir': rollbackState }),
  );
await coldStartRow('cold start: rollback (dry run over real state) vs node -e ""', () =>
  timeRun(
    [dist('rollback')],
    actionEnv({
      environment: 'bench',
      command: 'true',
      'state-dir': rollbackState,
      'dry-run': 'true',
      'to-version': 'v1',
    }),
  ),
);
const pipelineState = mkdtempSync(path.join(tmpdir(), 'bench-pipeline-'));
let p = 0;
await coldStartRow(
  'whole pipeline (root action): no-op deploy + 1 TCP probe vs node -e ""',
  () =>
    timeRun(
      [dist('pipeline')],
      actionEnv({
        environment: 'bench',
        version: `v1.0.${p++}`,
        command: 'true',
        'state-dir': pipelineState,
        'health-probes': `- { name: port, type: tcp, host: 127.0.0.1, port: ${tcpPort} }`,
        'health-count': '1',
        incident: 'none',
      }),
    ),
  '≤ 1.5 s in all',
);

const demo = await new Promise<string>((resolve) => {
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'demo.ts')], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.on('close', () => resolve(output));
});
const recovered = /Bad release → healthy old release, verified: (\S+ s)/.exec(demo)?.[1] ?? 'the demo failed';
rows.push(['demo: bad release → healthy old release, verified', recovered, '', '≤ 10 s']);

const sizeOf = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (total, entry) =>
      total +
      (entry.isDirectory() ? sizeOf(path.join(dir, entry.name)) : statSync(path.join(dir, entry.name)).size),
    0,
  );
const distBytes = sizeOf(path.join(root, 'dist'));
rows.push([
  'size of dist/ (all actions, CLI, shared chunks)',
  `${(distBytes / 1e6).toFixed(2)} MB`,
  '',
  '≤ 1.5 MB',
]);

tcp.close();
service.close();

const widths = [0, 1, 2, 3].map((column) =>
  Math.max(...[['benchmark', 'median', 'result', 'goal'], ...rows].map((row) => row[column]!.length)),
);
const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
console.log(line(['benchmark', 'median', 'result', 'goal']));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
