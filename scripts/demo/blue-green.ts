/**
 * The demo's second part: the same two releases (a good one, then a broken one) done in place
 * and blue-green behind a real HAProxy, each under 4 users calling the service throughout, and
 * the requests that failed counted. Started by scripts/demo.ts; returns the table it prints.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHaproxy } from '../../__tests__/fixtures/haproxy.ts';
import { startLoad } from '../../__tests__/fixtures/load.ts';
import { freePort } from '../../__tests__/fixtures/test-service.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli', 'index.js');
const START_SLOT = path.join(root, 'examples', 'blue-green', 'start-slot.sh');
const SERVICE = path.join(root, 'examples', 'sample-service', 'server.mjs');

export interface Counted {
  readonly release: string;
  readonly result: string;
  readonly ok: number;
  readonly failed: number;
}

/** HAProxy, or how to get it: the demo installs Debian's package when it may (root), says so. */
export function haveHaproxy(say: (line: string) => void): boolean {
  const found = () =>
    existsSync('/usr/sbin/haproxy') || spawnSync('sh', ['-c', 'command -v haproxy']).status === 0;
  if (found()) return true;
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    say('The blue-green part needs HAProxy: `sudo apt-get install -y haproxy`, then run the demo again.');
    return false;
  }
  say(
    "The blue-green part needs HAProxy: installing Debian's haproxy package with apt-get (its service is stopped: the demo starts its own).",
  );
  spawnSync(
    'sh',
    [
      '-c',
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null 2>&1); service haproxy stop >/dev/null 2>&1 || true',
    ],
    { stdio: 'inherit' },
  );
  return found();
}

/** Runs `deploy-actions run` (the whole pipeline) with these flags, under users calling `url`. */
async function underLoad(
  url: string,
  release: string,
  flags: string[],
  env: NodeJS.ProcessEnv,
): Promise<Counted> {
  const users = startLoad(url);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const report = await new Promise<{ result?: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', '--json', `--version=${release}`, ...flags], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('close', () => resolve(stdout ? JSON.parse(stdout) : {}));
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { ok, failed } = await users.stop();
  return { release, result: report.result ?? 'no report', ok, failed };
}

/** The same two releases in place and blue-green; the failed requests of each. */
export async function compareStrategies(dir: string): Promise<{ inPlace: Counted[]; blueGreen: Counted[] }> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'broken-v2.0.0'), '');
  const env = { SLOTS_DIR: dir, SERVICE };
  const common = (state: string) => [
    '--environment=production',
    `--command=${START_SLOT}`,
    `--state-dir=${path.join(dir, state)}`,
    '--attempts=1',
    '--incident=none',
    '--health-count=3',
    '--health-interval=100ms',
  ];
  // In place: one process on one port, stopped and started again by each release.
  const port = await freePort();
  const inPlaceFlags = [
    ...common('in-place-state'),
    `--verify-probes=- { name: api, type: http, url: "http://127.0.0.1:${port}/api/health", interval: 100ms, count: 20, consecutive-error-limit: 19, consecutive-successes: 2 }`,
    `--health-probes=- { name: api, type: http, url: "http://127.0.0.1:${port}/api/health" }`,
  ];
  const inPlaceEnv = { ...env, DEPLOY_SLOT: 'app', DEPLOY_SLOT_PORT: String(port) };
  await underLoad(`http://127.0.0.1:${port}/api/health`, 'v1.0.0', inPlaceFlags, inPlaceEnv);
  const inPlace = [
    await underLoad(`http://127.0.0.1:${port}/api/health`, 'v1.1.0', inPlaceFlags, inPlaceEnv),
    await underLoad(`http://127.0.0.1:${port}/api/health`, 'v2.0.0', inPlaceFlags, inPlaceEnv),
  ];
  stop(dir, 'app');

  // Blue-green: two slots behind HAProxy; users call HAProxy.
  const slots = { blue: await freePort(), green: await freePort() };
  const haproxy = await startHaproxy(slots, 'blue');
  try {
    const flags = [
      ...common('blue-green-state'),
      '--strategy=blue-green',
      `--slots={ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
      `--haproxy-socket=${haproxy.socket}`,
      `--haproxy-backend=${haproxy.backend}`,
      '--drain-timeout=2s',
      '--verify-probes=- { name: slot, type: http, url: "{slot_url}/api/health", interval: 100ms, count: 2 }',
      `--health-probes=- { name: api, type: http, url: "${haproxy.url}/api/health" }`,
    ];
    await underLoad(`${haproxy.url}/api/health`, 'v1.0.0', flags, env);
    const blueGreen = [
      await underLoad(`${haproxy.url}/api/health`, 'v1.1.0', flags, env),
      await underLoad(`${haproxy.url}/api/health`, 'v2.0.0', flags, env),
    ];
    return { inPlace, blueGreen };
  } finally {
    await haproxy.close();
    for (const slot of ['blue', 'green']) stop(dir, slot);
  }
}

function stop(dir: string, slot: string): void {
  const pidFile = path.join(dir, `${slot}.pid`);
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
  } catch {
    // already gone
  }
}
