import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHaproxy } from '../../__tests__/fixtures/haproxy.ts';
import { freePort } from '../../__tests__/fixtures/test-service.ts';
import { actionEnv, median } from './measure.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const START_SLOT = path.join(root, 'examples', 'blue-green', 'start-slot.sh');
const SERVICE = path.join(root, 'examples', 'sample-service', 'server.mjs');

/**
 * A good blue-green release as a team runs it with the defaults: the deploy action (from dist/)
 * puts the sample service (up in ~100 ms) into the idle slot behind a real HAProxy, verifies it
 * there with one slot probe and the version (no interval, count or start-timeout given),
 * switches and reads back. Returns the median wall time of `rounds` releases, in ms.
 */
export async function blueGreenReleaseMs(deployDist: string, rounds = 5): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-blue-green-'));
  const slots = { blue: await freePort(), green: await freePort() };
  const haproxy = await startHaproxy(slots, 'none');
  const inputs = {
    environment: 'production',
    strategy: 'blue-green',
    slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
    'haproxy-socket': haproxy.socket,
    'haproxy-backend': haproxy.backend,
    'drain-timeout': '1s',
    command: START_SLOT,
    'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health" }',
    'version-url': '{slot_url}/version',
    'state-dir': path.join(dir, 'state'),
  };
  const release = (version: string) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [deployDist], {
        env: { PATH: process.env.PATH, SLOTS_DIR: dir, SERVICE, ...actionEnv({ ...inputs, version }) },
        stdio: 'ignore',
      });
      child.once('exit', (code) =>
        code === 0
          ? resolve(performance.now() - started)
          : reject(new Error(`deploy ${version}: exit ${code}`)),
      );
    });
  try {
    await release('v0'); // the first release: both slots empty before it
    const times: number[] = [];
    for (let round = 1; round <= rounds; round++) times.push(await release(`v${round}`));
    return median(times);
  } finally {
    await haproxy.close();
    for (const slot of ['blue', 'green'])
      try {
        process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
      } catch {
        // never started
      }
  }
}

if (import.meta.main) {
  const dist = path.join(root, 'dist', 'deploy', 'index.js');
  console.log(`${((await blueGreenReleaseMs(dist)) / 1000).toFixed(2)} s per good blue-green release`);
}
