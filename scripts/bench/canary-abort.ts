import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHaproxy } from '../../__tests__/fixtures/haproxy.ts';
import { startLoad } from '../../__tests__/fixtures/load.ts';
import { startPrometheus } from '../../__tests__/fixtures/prometheus.ts';
import { freePort } from '../../__tests__/fixtures/test-service.ts';
import { haproxyCommand, parseServersState } from '../../src/clients/haproxy-runtime.ts';
import { median } from './measure.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(root, 'dist', 'cli', 'index.js');
const START_SLOT = path.join(root, 'examples', 'blue-green', 'start-slot.sh');
const SERVICE = path.join(root, 'examples', 'sample-service', 'server.mjs');
/** The analysis measures every second; Prometheus scrapes HAProxy every second. */
export const CANARY_INTERVAL_MS = 1000;
export const SCRAPE_INTERVAL_MS = 1000;

function cli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('close', () => resolve(out));
  });
}

/**
 * A canary that fails a fifth of its requests, behind a real HAProxy judged by a real Prometheus
 * scraping it every second, under 4 users: the time from the canary's first failed request to
 * its share of traffic being 0 as HAProxy says (sampled every 10 ms), and the blast radius (the
 * users it failed over all users during the release). Medians of `rounds` canaries.
 */
export async function canaryAbort(
  rounds = 3,
): Promise<{ toZeroMs: number; blastRadius: number; weight: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-canary-'));
  const slots = { blue: await freePort(), green: await freePort() };
  const haproxy = await startHaproxy(slots, 'blue');
  const prometheus = await startPrometheus([haproxy.metricsUrl]);
  const weight = 20;
  const common = [
    '--environment=production',
    '--strategy=canary',
    `--slots={ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    `--haproxy-socket=${haproxy.socket}`,
    `--haproxy-backend=${haproxy.backend}`,
    `--command=${START_SLOT}`,
    '--version-url={slot_url}/version',
    '--drain-timeout=1s',
    `--state-dir=${path.join(dir, 'state')}`,
    '--attempts=1',
    `--canary-steps=[{set-weight: ${weight}}, {pause: 30s}]`,
    // Measured from the first weight on; the first seconds have too few requests to judge, which
    // inconclusive-limit tolerates, so the first failing window decides.
    `--canary-analysis=${[
      `prometheus: ${prometheus.url}`,
      'window: 3s',
      `interval: ${CANARY_INTERVAL_MS}ms`,
      'initial-delay: 0s',
      'inconclusive-limit: 5',
      'min-requests: 10',
      'metrics: [{ template: error-ratio, max: 5% }]',
    ].join('\n')}`,
  ];
  const env = { SLOTS_DIR: dir, SERVICE };
  const toZero: number[] = [];
  const radius: number[] = [];
  try {
    await cli(['deploy', ...common, '--version=v1.0.0'], env);
    for (let round = 0; round < rounds; round++) {
      const version = `v2.${round}.0`;
      writeFileSync(path.join(dir, `fails-${version}`), '0.2');
      // The canary goes into the slot that does not serve: the one the last good release is not in.
      const state = JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
      const stable = state.releases.findLast((r: { status: string }) => r.status === 'good').slot;
      const canary = stable === 'blue' ? 'green' : 'blue';
      let zeroAt: number | undefined;
      let hadWeight = false;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const servers = parseServersState(
            await haproxyCommand(haproxy.socket, 'show servers state app'),
            'app',
          );
          const server = servers.get(canary)!;
          const share = server.adminState & 0x01 ? 0 : server.weight;
          if (share > 0 && server.weight < 100 && server.weight !== server.initialWeight) hadWeight = true;
          if (hadWeight && share === 0 && zeroAt === undefined) zeroAt = Date.now();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const users = startLoad(`${haproxy.url}/`, 4, 5);
      const out = await cli(['deploy', ...common, `--version=${version}`], env);
      const load = await users.stop();
      sampling = false;
      await sampler;
      if (!/canary aborted/.test(out) || !load.firstFailedAt || !zeroAt)
        throw new Error(`the canary was not aborted as expected: ${out.slice(-800)}`);
      toZero.push(zeroAt - load.firstFailedAt);
      radius.push(load.failed / (load.ok + load.failed));
    }
    return { toZeroMs: median(toZero), blastRadius: median(radius), weight };
  } finally {
    await prometheus.close();
    await haproxy.close();
    for (const slot of ['blue', 'green'])
      try {
        process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
      } catch {
        // not started, or stopped
      }
  }
}

if (import.meta.main) console.log(await canaryAbort());
