/**
 * `npm run bench`: speed as ratios to a peer or the floor measured in the same run, round by
 * round (these machines are shared and noisy: absolute times and differences of medians mean
 * little), wall time and CPU time (the command's whole process tree, as the kernel counts it).
 * Prints a table; asserts nothing. The floor is a bare `node -e ''`: what any action pays.
 *
 *   1. one-URL health check vs `curl` plus a bare node start (goal: ≤ 1.0×, no slower than both)
 *   2. cold start: the health check on one TCP port vs bare node
 *   3. fan-out: 200 HTTP endpoints checked at once vs one (goal ≤ 2×), and the engine's CPU per
 *      probe at 300, 1,000 and 5,000 probes (goal: linear, within 1.5× of the figure at 300)
 *   4. a no-op deploy (`command: true`: lock, state written twice, audit) vs bare node
 *   5. the file lock's hand-over between queued deploys (goal ≤ 10 ms), from a deploy's release to
 *      the next one's driver running (goal ≤ 10 ms), and a waiting deploy's CPU (goal ≤ 2 ms/s)
 *   6. incident-issue resolving nothing (octokit loaded, one request to a local fake GitHub)
 *   7. every other action's cold start on a small real job, vs bare node
 *   8. the whole pipeline (root action) on a no-op deploy with a one-probe health check, and the
 *      demo's bad-release-to-recovered time (goal ≤ 10 s)
 *   9. the size of dist/ (goal ≤ 1.5 MB)
 *  10. what users feel: failed requests of 4 users through a good and a broken release, in place
 *      and blue-green behind a real HAProxy (goal: 0 for blue-green); needs HAProxy installed
 *      and a good blue-green release end to end with the deploy's default verification (goal ≤ 5 s)
 *  11. a traffic switch (and so a rollback's switch back): HAProxy's runtime API (goal ≤ 50 ms)
 *      and nginx's file, test and graceful reload
 *  12. a rollback's switch back as users feel it: the decision to traffic on the warm slot, through
 *      the CLI with the sample service in two slots, behind HAProxy and nginx
 *  13. a rolling release over 20 hosts (an sshd each) behind HAProxy, batch-size 1 and 5, and one
 *      remote command over the release's SSH connection vs a new connection
 *  14. a canary failing a fifth of its requests behind HAProxy, judged by Prometheus scraping it
 *      every second: its first failed request → its weight 0 (goal ≤ one analysis interval + one
 *      scrape interval), and the blast radius (its failed requests over all during the release)
 *  15. a real registry of 1,000 tags: registry-retention's dry run (time, requests made against
 *      the floor of one tag list and one HEAD per tag), and promote-image of a verified digest
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { FULL_TOKEN, startFakeGitHub } from '../__tests__/fixtures/fake-github/server.ts';
import { blueGreenReleaseMs } from './bench/blue-green-defaults.ts';
import { CANARY_INTERVAL_MS, canaryAbort, SCRAPE_INTERVAL_MS } from './bench/canary-abort.ts';
import { engineCpuPerProbe } from './bench/engine-scaling.ts';
import { handOffToDriverMs } from './bench/handoff-to-driver.ts';
import { lockHandOffMs } from './bench/lock-handoff.ts';
import { actionEnv, both, type Comparison, compare, run } from './bench/measure.ts';
import { registryFigures } from './bench/registry.ts';
import { remoteCommandMs, rollingFleetMs } from './bench/rolling-fleet.ts';
import { switchBackTimes } from './bench/switch-back.ts';
import { switchTimes } from './bench/switch-times.ts';
import { waitingCpuPerSecond } from './bench/waiting-cpu.ts';
import { compareStrategies, haveHaproxy } from './demo/blue-green.ts';
import { applySections } from './sections.ts';

const cpuModel = () => cpus()[0]?.model.trim() ?? 'unknown CPU';

const root = path.resolve(import.meta.dirname, '..');
const dist = (name: string) => path.join(root, 'dist', name, 'index.js');
const node = (...args: string[]) => [process.execPath, ...args];
const bare = () => run(node('-e', ''));

const rows: string[][] = [];
const ms = (value: number) => `${value.toFixed(0)} ms`;
function row(label: string, c: Comparison, goal = '(measured)'): void {
  rows.push([
    label,
    `${ms(c.a.wallMs)} / ${ms(c.a.cpuMs)}`,
    `${ms(c.b.wallMs)} / ${ms(c.b.cpuMs)}`,
    `${c.wallRatio.toFixed(2)}× / ${c.cpuRatio.toFixed(2)}×`,
    goal,
  ]);
}

const tcp = net.createServer((socket) => socket.end());
await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
const tcpPort = (tcp.address() as AddressInfo).port;
const fast = http.createServer((_req, res) => res.end('{"status":"UP"}'));
await new Promise<void>((resolve) => fast.listen(0, '127.0.0.1', resolve));
const fastUrl = `http://127.0.0.1:${(fast.address() as AddressInfo).port}/health`;
// A service that takes 50 ms per answer, like a real one behind a network.
const slow = http.createServer((_req, res) => setTimeout(() => res.end('{"status":"UP"}'), 50));
slow.maxConnections = 10_000;
await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', 1024, resolve));
const slowBase = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
const endpoints = (n: number) =>
  Array.from({ length: n }, (_, i) => `- { name: ep${i}, type: http, url: "${slowBase}/health/${i}" }`).join(
    '\n',
  );

row(
  'one-URL health check vs curl + node -e ""',
  await compare(
    15,
    () =>
      run(
        node(dist('health-check')),
        actionEnv({ probes: `- { name: api, type: http, url: "${fastUrl}" }`, count: '1' }),
      ),
    () => both(() => run(['curl', '-sf', fastUrl]), bare),
  ),
  '≤ 1.0×',
);

row(
  'cold start: health-check (1 TCP probe) vs node -e ""',
  await compare(
    15,
    () =>
      run(
        node(dist('health-check')),
        actionEnv({ probes: `- { name: port, type: tcp, host: 127.0.0.1, port: ${tcpPort} }`, count: '1' }),
      ),
    bare,
  ),
);

const fanOut = { count: '3', interval: '200ms' };
row(
  '200 HTTP endpoints vs 1 (count 3, interval 200ms, 50 ms each)',
  await compare(
    7,
    () => run(node(dist('health-check')), actionEnv({ probes: endpoints(200), ...fanOut })),
    () => run(node(dist('health-check')), actionEnv({ probes: endpoints(1), ...fanOut })),
  ),
  '≤ 2×',
);

const perProbe = await engineCpuPerProbe(dist('health-check'), [300, 1000, 5000]);
const [at300, at1000, at5000] = [300, 1000, 5000].map((n) => perProbe.get(n)!);
rows.push([
  'health engine: CPU per HTTP probe at 300 / 1,000 / 5,000 probes',
  `${at300!.toFixed(2)} / ${at1000!.toFixed(2)} / ${at5000!.toFixed(2)} ms`,
  '',
  `${(Math.max(at1000!, at5000!) / at300!).toFixed(2)}× (worst / at 300)`,
  '≤ 1.5×',
]);

const stateDir = mkdtempSync(path.join(tmpdir(), 'bench-state-'));
let n = 0;
row(
  'no-op deploy (command: true) vs node -e ""',
  await compare(
    15,
    // A new version each time, so every run really deploys (lock, state written twice, audit).
    () =>
      run(
        node(dist('deploy')),
        actionEnv({ environment: 'bench', version: `v1.0.${n++}`, command: 'true', 'state-dir': stateDir }),
      ),
    bare,
  ),
);

const handOff = await lockHandOffMs();
rows.push([
  'lock hand-over between queued deploys (median gap)',
  `${handOff.toFixed(1)} ms`,
  '',
  '',
  '≤ 10 ms',
]);
rows.push([
  "a deploy's release → the next queued deploy's driver running",
  `${(await handOffToDriverMs(dist('deploy'))).toFixed(1)} ms`,
  '',
  '',
  '≤ 10 ms',
]);
rows.push([
  'a deploy waiting for the lock: CPU per second waited',
  `${(await waitingCpuPerSecond(dist('deploy'))).toFixed(1)} ms`,
  '',
  '',
  '≤ 2 ms',
]);

const github = await startFakeGitHub({ repos: ['acme/shop'] });
row(
  'incident-issue resolve, nothing open (fake GitHub) vs node -e ""',
  await compare(
    15,
    () =>
      run(node(dist('incident-issue')), {
        ...actionEnv({
          mode: 'resolve',
          environment: 'bench',
          'github-token': FULL_TOKEN,
          repository: 'acme/shop',
        }),
        GITHUB_API_URL: github.url,
      }),
    bare,
  ),
);
await github.close();

const exporter = http.createServer((_req, res) =>
  res.end(
    'runner_status{runner="a"} 1\nrunner_cpu_usage_percent{runner="a"} 5\nrunner_memory_usage_percent{runner="a"} 5\n',
  ),
);
await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
const exporterUrl = `http://127.0.0.1:${(exporter.address() as AddressInfo).port}/metrics`;
const rollbackState = mkdtempSync(path.join(tmpdir(), 'bench-rollback-'));
for (const version of ['v1', 'v2'])
  await run(
    node(dist('deploy')),
    actionEnv({ environment: 'bench', version, command: 'true', 'state-dir': rollbackState }),
  );
const pipelineState = mkdtempSync(path.join(tmpdir(), 'bench-pipeline-'));
let p = 0;
const coldStarts: [string, () => ReturnType<typeof run>][] = [
  [
    'preflight (one command check)',
    () => run(node(dist('preflight')), actionEnv({ checks: '- { type: command, command: sh }' })),
  ],
  [
    'runner-health-gate (one scraped runner)',
    () =>
      run(
        node(dist('runner-health-gate')),
        actionEnv({ candidates: `- { name: a, labels: [a], metrics-url: "${exporterUrl}" }` }),
      ),
  ],
  [
    'rollback (dry run over real state)',
    () =>
      run(
        node(dist('rollback')),
        actionEnv({
          environment: 'bench',
          command: 'true',
          'state-dir': rollbackState,
          'dry-run': 'true',
          'to-version': 'v1',
        }),
      ),
  ],
  [
    'whole pipeline (root action): no-op deploy + 1 TCP probe',
    () =>
      run(
        node(dist('pipeline')),
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
  ],
];
for (const [label, action] of coldStarts)
  row(`cold start: ${label} vs node -e ""`, await compare(10, action, bare));
exporter.close();

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
rows.push(['demo: bad release → healthy old release, verified', recovered, '', '', '≤ 10 s']);

const sizeOf = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (total, entry) =>
      total +
      (entry.isDirectory() ? sizeOf(path.join(dir, entry.name)) : statSync(path.join(dir, entry.name)).size),
    0,
  );
rows.push([
  'size of dist/ (all actions, CLI, shared chunks)',
  `${(sizeOf(path.join(root, 'dist')) / 1e6).toFixed(2)} MB`,
  '',
  '',
  '≤ 1.5 MB',
]);

if (haveHaproxy((line) => console.error(line))) {
  const { inPlace, blueGreen } = await compareStrategies(mkdtempSync(path.join(tmpdir(), 'bench-users-')));
  const switched = await switchTimes();
  rows.push([
    'traffic switch / switch back: HAProxy runtime API',
    `${switched.haproxy.toFixed(1)} ms`,
    '',
    '',
    '≤ 50 ms',
  ]);
  rows.push([
    'traffic switch / switch back: nginx (file, -t, reload)',
    `${switched.nginx.toFixed(1)} ms`,
    '',
    '',
    '(measured)',
  ]);
  rows.push([
    'a good blue-green release with the defaults (deploy action, HAProxy)',
    `${((await blueGreenReleaseMs(dist('deploy'))) / 1000).toFixed(2)} s`,
    '',
    '',
    '≤ 5 s',
  ]);
  const back = await switchBackTimes();
  rows.push([
    'rollback: decision → traffic on the warm slot, HAProxy / nginx',
    `${back.haproxy.toFixed(0)} ms`,
    `${back.nginx.toFixed(0)} ms`,
    '',
    '(measured)',
  ]);
  for (const fleet of await rollingFleetMs(dist('deploy')))
    rows.push([
      `rolling release, 20 hosts over SSH behind HAProxy, batch-size ${fleet.batchSize}`,
      `${(fleet.ms / 1000).toFixed(1)} s`,
      `${fleet.batches} batches × ${(fleet.ms / fleet.batches / 1000).toFixed(2)} s`,
      '',
      '(measured)',
    ]);
  const remote = await remoteCommandMs();
  rows.push([
    'one remote command over SSH: the release connection reused / a new connection',
    `${remote.reused.toFixed(0)} ms`,
    `${remote.fresh.toFixed(0)} ms`,
    `${(remote.reused / remote.fresh).toFixed(2)}×`,
    '(measured)',
  ]);
  const canary = await canaryAbort();
  rows.push([
    `canary failing 20 % at weight ${canary.weight}: first failed request → weight 0 / blast radius`,
    `${canary.toZeroMs.toFixed(0)} ms`,
    `${(canary.blastRadius * 100).toFixed(2)} % of requests`,
    '',
    `≤ ${CANARY_INTERVAL_MS + SCRAPE_INTERVAL_MS} ms`,
  ]);
  const registry = await registryFigures();
  rows.push([
    `registry-retention dry run over ${registry.tags.toLocaleString('en')} tags (CLI) / requests made`,
    `${(registry.retentionMs / 1000).toFixed(2)} s`,
    `${registry.retentionRequests} requests`,
    `${(registry.retentionRequests / registry.floorRequests).toFixed(2)}× the floor (tag list + 1 HEAD per tag)`,
    `(${registry.wouldRemove} would go)`,
  ]);
  rows.push([
    'promote-image of a verified digest (CLI) vs node -e ""',
    `${registry.promoteMs.toFixed(0)} ms`,
    `${registry.bareMs.toFixed(0)} ms`,
    `${(registry.promoteMs / registry.bareMs).toFixed(2)}×`,
    '(measured)',
  ]);
  for (const [i, kind] of ['good', 'broken'].entries()) {
    const [a, b] = [inPlace[i]!, blueGreen[i]!];
    const share = (c: typeof a) => `${c.failed}/${c.ok + c.failed}`;
    rows.push([
      `failed user requests, ${kind} release: in place / blue-green`,
      share(a),
      share(b),
      '',
      'blue-green 0',
    ]);
  }
}

for (const server of [tcp, fast, slow]) server.close();

const header = ['benchmark', 'A: wall / cpu', 'B: wall / cpu', 'A/B: wall / cpu', 'goal'];
const widths = header.map((_, column) => Math.max(...[header, ...rows].map((r) => r[column]!.length)));
const line = (cells: string[]) =>
  cells
    .map((cell, i) => cell.padEnd(widths[i]!))
    .join('  ')
    .trimEnd();
const table = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
console.log(table);
console.log('\nMedians of 7 to 15 alternating rounds; a ratio is the median of the per-round ratios.');

// The README quotes these figures: written here, from this run, never typed by hand.
const readme = path.join(root, 'README.md');
const usersBlock = /\nFailed user requests per release\n((?:.+\n?)+)/.exec(demo)?.[1]?.trimEnd();
const machine = `${availableParallelism()} CPUs (${cpuModel()})`;
writeFileSync(
  readme,
  applySections(readFileSync(readme, 'utf8'), {
    'bench-demo': [
      '```text',
      'Failed user requests per release',
      usersBlock ?? '(HAProxy was not installed when npm run bench ran)',
      `Bad release → healthy old release, verified: ${recovered}`,
      '```',
    ].join('\n'),
    bench: [
      '```text',
      table,
      '```',
      '',
      `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, ${machine}, Node ${process.versions.node}.`,
    ].join('\n'),
  }),
);
console.log(`\nwrote the figures into ${path.relative(root, readme)}`);
