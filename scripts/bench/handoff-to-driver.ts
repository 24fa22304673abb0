import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { actionEnv, median } from './measure.ts';

/**
 * From one deploy's release of the environment to the next queued deploy's driver running, as
 * a queue of deploys feels it: the first deploy holds the lock (its command sleeps), the second
 * waits behind it; the moment the first's ticket leaves the lock directory (seen through
 * inotify) is compared with the moment the second's command starts (it writes the time).
 * Returns the median in ms over `rounds`.
 */
export async function handOffToDriverMs(deployDist: string, rounds = 7): Promise<number> {
  const gaps: number[] = [];
  for (let round = 0; round < rounds; round++) gaps.push(await oneHandOff(deployDist));
  return median(gaps);
}

async function oneHandOff(deployDist: string): Promise<number> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'bench-driver-'));
  const stamp = path.join(stateDir, 'driver-started');
  let released: number | undefined;
  const deploy = (version: string, command: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [deployDist], {
        env: {
          PATH: process.env.PATH,
          ...actionEnv({ environment: 'bench', version, command, 'state-dir': stateDir }),
        },
        stdio: 'ignore',
      });
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`deploy ${version}: exit ${code}`)),
      );
    });
  const first = deploy('v1', 'sleep 1');
  await new Promise((resolve) => setTimeout(resolve, 400));
  const lockDir = path.join(stateDir, readdirSync(stateDir).find((name) => name.endsWith('.lock'))!);
  const watcher = watch(lockDir, (_event, name) => {
    if (released === undefined && name?.endsWith('.ticket') && !existsSync(path.join(lockDir, name)))
      released = Date.now();
  });
  // date +%s%N: the driver's first act, in ms since the epoch as the bench's Date.now().
  const second = deploy('v2', `date +%s%N > ${stamp}`);
  await Promise.all([first, second]);
  watcher.close();
  const started = Number(readFileSync(stamp, 'utf8').trim()) / 1e6;
  if (released === undefined) throw new Error('the first deploy never released its ticket');
  return started - released;
}

if (import.meta.main) {
  const dist = path.resolve(import.meta.dirname, '..', '..', 'dist', 'deploy', 'index.js');
  console.log(`${(await handOffToDriverMs(dist)).toFixed(1)} ms from a release to the next driver`);
}
