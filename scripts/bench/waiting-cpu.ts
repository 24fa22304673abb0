import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { actionEnv } from './measure.ts';

/**
 * CPU time a process has used so far, in ms, summed over its threads (V8's and libuv's too)
 * from the scheduler's nanosecond counts: /proc's utime ticks (10 ms) are too coarse here.
 */
function cpuMsOf(pid: number): number {
  const tasks = readdirSync(`/proc/${pid}/task`);
  const ns = tasks.reduce(
    (sum, task) => sum + Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]),
    0,
  );
  return ns / 1e6;
}

/**
 * What a deploy queued behind another costs while it waits: the first deploy holds the
 * environment (its command sleeps), the second is started, and once it says it waits its CPU
 * is read from /proc over `windowMs`. Returns ms of CPU per second waited.
 */
export async function waitingCpuPerSecond(deployDist: string, windowMs = 5000): Promise<number> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'bench-waiting-'));
  const deploy = (version: string, command: string) =>
    spawn(process.execPath, [deployDist], {
      env: {
        PATH: process.env.PATH,
        ...actionEnv({ environment: 'bench', version, command, 'state-dir': stateDir }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  const holder = deploy('v1', `sleep ${Math.ceil(windowMs / 1000) + 3}`);
  await until(holder, /Deploying|deploy command/i);
  const waiter = deploy('v2', 'true');
  await until(waiter, /waiting for|waits for|is locked|queued/i);
  await delay(300); // past its first looks
  const before = cpuMsOf(waiter.pid!);
  await delay(windowMs);
  const used = cpuMsOf(waiter.pid!) - before;
  for (const child of [holder, waiter]) child.kill('SIGKILL');
  return used / (windowMs / 1000);
}

function until(child: ReturnType<typeof spawn>, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk) => {
      seen += chunk;
      if (pattern.test(seen)) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before ${pattern}: ${seen.slice(-1000)}`)));
  });
}

if (import.meta.main) {
  const dist = path.resolve(import.meta.dirname, '..', '..', 'dist', 'deploy', 'index.js');
  console.log(`${(await waitingCpuPerSecond(dist)).toFixed(1)} ms CPU per second waited`);
}
