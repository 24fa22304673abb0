import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHaproxy } from '../../__tests__/fixtures/haproxy.ts';
import { startNginx } from '../../__tests__/fixtures/nginx.ts';
import { freePort } from '../../__tests__/fixtures/test-service.ts';
import { median } from './measure.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(root, 'dist', 'cli', 'index.js');
const START_SLOT = path.join(root, 'examples', 'blue-green', 'start-slot.sh');
const SERVICE = path.join(root, 'examples', 'sample-service', 'server.mjs');

function cli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

/**
 * A rollback's switch back as users feel it: from the decision (the rollback's release begins
 * going live) to traffic confirmed on the warm slot, as deploy-actions reports it ("Traffic is
 * back on green N ms after the decision"), through the CLI with the sample service in two slots.
 * Each round deploys a new version into the idle slot, then rolls back to the warm one.
 */
async function switchBacks(proxy: 'haproxy' | 'nginx', rounds: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-switch-back-${proxy}-`));
  const slots = { blue: await freePort(), green: await freePort() };
  const started =
    proxy === 'haproxy'
      ? await startHaproxy(slots, 'blue')
      : await startNginx({ name: 'blue', port: slots.blue });
  const inputs =
    'socket' in started
      ? ['--traffic=haproxy', `--haproxy-socket=${started.socket}`, `--haproxy-backend=${started.backend}`]
      : [
          '--traffic=nginx',
          `--nginx-upstream-file=${started.upstreamFile}`,
          `--nginx-test-command=${started.testCommand}`,
          `--nginx-reload-command=${started.reloadCommand}`,
          `--nginx-pid-file=${started.pidFile}`,
        ];
  const common = [
    '--environment=production',
    '--strategy=blue-green',
    `--slots={ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    ...inputs,
    `--command=${START_SLOT}`,
    '--version-url={slot_url}/version',
    '--drain-timeout=1s',
    `--state-dir=${path.join(dir, 'state')}`,
    '--attempts=1',
  ];
  const env = { SLOTS_DIR: dir, SERVICE };
  const times: number[] = [];
  try {
    await cli(['deploy', ...common, '--version=v1.0.0'], env);
    for (let i = 2; i < rounds + 2; i++) {
      await cli(['deploy', ...common, `--version=v${i}.0.0`], env);
      const back = await cli(['rollback', ...common, '--to-version=v1.0.0'], env);
      const ms = /Traffic is back on \w+ (\d+) ms after the decision/.exec(back)?.[1];
      if (!ms) throw new Error(`the rollback did not switch back first: ${back}`);
      times.push(Number(ms));
    }
    return median(times);
  } finally {
    await started.close();
    for (const slot of ['blue', 'green'])
      try {
        process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
      } catch {
        // not started
      }
  }
}

export async function switchBackTimes(rounds = 5): Promise<{ haproxy: number; nginx: number }> {
  return { haproxy: await switchBacks('haproxy', rounds), nginx: await switchBacks('nginx', rounds) };
}
