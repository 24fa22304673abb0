/**
 * The local demo (`npm run demo`): nothing to install beyond `npm ci`. In a temp dir, the
 * sample service is deployed with the releases driver by the built CLI's whole pipeline
 * (`deploy-actions run`): v1 (healthy), then v2 (broken: its health endpoint answers 503).
 * v2 fails its verification at the first bad answer, is rolled back to v1, v1 is checked again,
 * and an incident is written (a Markdown file; the GitHub API when GITHUB_API_URL, GITHUB_TOKEN
 * and GITHUB_REPOSITORY are set). Prints a timeline and how long production ran the bad release.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Counted, compareStrategies, haveHaproxy } from './demo/blue-green.ts';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'index.js');
const dir = mkdtempSync(path.join(tmpdir(), 'deploy-actions-demo-'));
const app = path.join(dir, 'app');
const started = performance.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const timeline: string[] = [];
const mark = (event: string) => {
  timeline.push(`${seconds(performance.now() - started).padStart(8)}  ${event}`);
  console.log(`\n▶ ${event}`);
};

/** A release of the sample service: its code, and a BROKEN marker for the bad one. */
function artifact(version: string, broken: boolean): void {
  const folder = path.join(dir, 'artifacts', version);
  mkdirSync(folder, { recursive: true });
  copyFileSync(path.join(root, 'examples', 'sample-service', 'server.mjs'), path.join(folder, 'server.mjs'));
  if (broken) writeFileSync(path.join(folder, 'BROKEN'), 'its database migration fails\n');
}

const port = await new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(free));
  });
});
const url = `http://127.0.0.1:${port}`;
artifact('v1.0.0', false);
artifact('v2.0.0', true);
// A restart as systemd would do it: stop the old process, start the new one detached.
const restart = `PORT=${port} ${path.join(root, 'examples', 'sample-service', 'restart.sh')}`;
// Errors (not yet listening) are tolerated while it starts; a 503 fails at once.
const probe = (name: string, route: string) =>
  `- { name: ${name}, type: http, url: "${url}${route}", interval: 100ms, count: 30, failure-limit: 0, consecutive-error-limit: 29, consecutive-successes: 2 }`;
const github = Boolean(
  process.env.GITHUB_API_URL && process.env.GITHUB_TOKEN && process.env.GITHUB_REPOSITORY,
);
const incidentDir = path.join(dir, 'incidents');

/** What the CLI's --json report of a pipeline run says (the parts the demo reads). */
interface PipelineReport {
  readonly result?: string;
  readonly stages?: { name: string; result: string; startMs: number; durationMs: number }[];
  readonly incident?: { action: string; url?: string };
}

function run(version: string): Promise<{ code: number; report: PipelineReport }> {
  const args = [
    cli,
    'run',
    '--json',
    '--environment=production',
    `--version=${version}`,
    '--driver=releases',
    `--releases-dir=${app}`,
    `--artifact=${path.join(dir, 'artifacts', '{version}')}`,
    `--restart-command=${restart}`,
    `--state-dir=${path.join(dir, 'state')}`,
    '--retry-wait=200ms',
    `--verify-probes=${probe('actuator', '/actuator/health')}`,
    `--version-url=${url}/version`,
    `--health-probes=${[probe('actuator', '/actuator/health'), probe('api', '/api/health')].join('\n')}`,
    '--health-count=3',
    '--health-interval=200ms',
    ...(github ? ['--incident=github'] : ['--incident=file', `--incident-dir=${incidentDir}`]),
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('close', (code) => resolve({ code: code ?? 1, report: stdout ? JSON.parse(stdout) : {} }));
  });
}

/**
 * Part two: what users feel. A good release and a broken one, in place and blue-green behind
 * HAProxy, under 4 users calling throughout; the failed requests of each, side by side.
 */
async function blueGreenPart(): Promise<boolean> {
  console.log(
    '\n▶ what users feel: a good release and a broken one, in place and blue-green, 4 users calling',
  );
  if (!haveHaproxy((line) => console.log(line))) return true;
  const { inPlace, blueGreen } = await compareStrategies(path.join(dir, 'users'));
  const rows = [0, 1].map((i) => {
    const a = inPlace[i]!;
    const b = blueGreen[i]!;
    const share = (c: Counted) => `${c.failed} of ${c.ok + c.failed} failed (${c.result})`;
    return `  ${a.release.padEnd(8)} ${i === 0 ? 'good  ' : 'broken'}  in place: ${share(a).padEnd(34)} blue-green: ${share(b)}`;
  });
  console.log(`\nFailed user requests per release\n${rows.join('\n')}`);
  return (
    blueGreen.every((c) => c.failed === 0) &&
    blueGreen[0]!.result === 'deployed' &&
    blueGreen[1]!.result === 'failed'
  );
}

try {
  mark(`deploy v1.0.0 of the sample service (releases driver, ${url})`);
  const v1 = await run('v1.0.0');
  mark(`v1.0.0: ${v1.report.result} (exit ${v1.code})`);

  mark('deploy v2.0.0 (broken: its health endpoint answers 503)');
  const v2 = await run('v2.0.0');
  const stages = (v2.report.stages ?? []) as {
    name: string;
    result: string;
    startMs: number;
    durationMs: number;
  }[];
  for (const s of stages) mark(`  v2.0.0 ${s.name}: ${s.result} (${seconds(s.durationMs)})`);
  const deployStage = stages.find((s) => s.name === 'deploy');
  const recovered = stages.findLast((s) => s.name === 're-verify' || s.name === 'rollback');
  const live = (await (await fetch(`${url}/version`)).json()) as { version: string };
  mark(`v2.0.0: ${v2.report.result}; production serves ${live.version}`);
  if (v2.report.incident) mark(`incident ${v2.report.incident.action}: ${v2.report.incident.url}`);

  console.log(`\nTimeline (demo in ${dir})\n${timeline.join('\n')}`);
  if (deployStage && recovered) {
    const badToHealthy = recovered.startMs + recovered.durationMs - deployStage.startMs;
    console.log(`\nBad release → healthy old release, verified: ${seconds(badToHealthy)} (goal ≤ 10 s)`);
  }
  const incidentFile = path.join(incidentDir, 'incident-1.md');
  if (!github && existsSync(incidentFile))
    console.log(`\nThe incident:\n\n${readFileSync(incidentFile, 'utf8')}`);
  const inPlaceOk =
    v1.report.result === 'deployed' && v2.report.result === 'rolled-back' && live.version === 'v1.0.0';
  const blueGreenOk = await blueGreenPart();
  const ok = inPlaceOk && blueGreenOk;
  console.log(ok ? '\n✅ demo passed' : '\n❌ demo did not go as expected');
  process.exitCode = ok ? 0 : 1;
} finally {
  const pidFile = path.join(app, 'app.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
