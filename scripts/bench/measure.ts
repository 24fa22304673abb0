import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One finished run: wall time, and CPU time (user + sys) of the command and all it started. */
export interface Run {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Runs `argv` (no shell of ours around its words) and times it: wall from spawn to exit, CPU as
 * the kernel accounts the command's whole process tree (bash's `times`, to the millisecond). Fails
 * loudly if the command did not succeed: a benchmark of a failure measures nothing.
 */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // bash, not sh: dash drops variables such as INPUT_STATE-DIR from the environment it passes on.
    const child = spawn('/bin/bash', ['-c', '"$@" 3>&-; s=$?; times >&3; exit $s', 'bash', ...argv], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let times = '';
    // What it prints is kept only to explain a failure (its last 2,000 characters).
    const keep = (chunk: Buffer) => {
      stderr = (stderr + chunk).slice(-2000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.stdio[3]!.on('data', (chunk) => {
      times += chunk;
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${argv.join(' ')}: exit ${code}: ${stderr}`));
      // The second line of `times`: user and system time of the shell's children.
      const [user = 0, sys = 0] = (times.trim().split('\n')[1] ?? '').split(/\s+/).map(seconds);
      resolve({ wallMs, cpuMs: (user + sys) * 1000 });
    });
  });
}

function seconds(text: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : 0;
}

export const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** What a comparison found: each side's median wall and CPU, and the median of the per-round ratios. */
export interface Comparison {
  readonly a: Run;
  readonly b: Run;
  readonly wallRatio: number;
  readonly cpuRatio: number;
}

/**
 * Runs `a` and `b` alternately `rounds` times after one warm-up of each (so a drift of the
 * machine's speed hits both alike) and compares them round by round: a ratio per round, then
 * the median of those, which a noisy neighbour moves far less than a difference of medians.
 */
export async function compare(
  rounds: number,
  a: () => Promise<Run>,
  b: () => Promise<Run>,
): Promise<Comparison> {
  await a();
  await b();
  const pairs: [Run, Run][] = [];
  for (let i = 0; i < rounds; i++) pairs.push([await a(), await b()]);
  const of = (side: 0 | 1, key: keyof Run) => median(pairs.map((pair) => pair[side][key]));
  return {
    a: { wallMs: of(0, 'wallMs'), cpuMs: of(0, 'cpuMs') },
    b: { wallMs: of(1, 'wallMs'), cpuMs: of(1, 'cpuMs') },
    wallRatio: median(pairs.map(([x, y]) => x.wallMs / y.wallMs)),
    cpuRatio: median(pairs.map(([x, y]) => x.cpuMs / Math.max(y.cpuMs, 10))),
  };
}

/** Two runs one after the other, as one: a peer made of two commands (curl, then a bare node). */
export async function both(first: () => Promise<Run>, second: () => Promise<Run>): Promise<Run> {
  const x = await first();
  const y = await second();
  return { wallMs: x.wallMs + y.wallMs, cpuMs: x.cpuMs + y.cpuMs };
}

/** The environment the runner gives an action, with `with:` values as INPUT_*. */
export function actionEnv(inputs: Record<string, string>): NodeJS.ProcessEnv {
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
