import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../clients/owned-files.ts';
import { processes } from '../clients/process-alive.ts';
import { howItEnded } from '../deploy/driver.ts';
import type { Clock, CommandRunner } from '../ports.ts';

export interface NginxUpstreamOptions {
  /** The file included in the upstream block: deploy-actions writes its server lines. */
  readonly upstreamFile: string;
  /** Checks the configuration (nginx -t); a failure leaves the old file in place. */
  readonly testCommand: string;
  /** A graceful reload (nginx -s reload): old workers finish their requests. */
  readonly reloadCommand: string;
  /** The master's pid file: a reload took effect when the master runs new workers. */
  readonly pidFile: string;
  /** How long old workers may finish what they serve after the reload. */
  readonly drainTimeoutMs: number;
  readonly runner: CommandRunner;
  readonly clock: Clock;
}

/**
 * An nginx upstream include file that deploy-actions owns: read, and changed only as nginx
 * accepts it. `apply` writes the new text atomically (temp file, rename), lets `nginx -t` judge it
 * (putting the old file back if it fails), reloads gracefully, and waits until the master runs
 * new workers and the old ones finished, so "applied" means nginx serves it, not that a file changed.
 */
export function nginxUpstream(options: NginxUpstreamOptions) {
  const { upstreamFile, runner } = options;
  const read = () => {
    try {
      return readFileSync(upstreamFile, 'utf8');
    } catch (error) {
      throw new Error(
        `cannot read the nginx upstream file ${upstreamFile} (nginx-upstream-file): ${(error as Error).message}`,
      );
    }
  };
  // The upstream directory is nginx's, and others may write there: no temp file is followed.
  const write = (text: string) => {
    try {
      writeFileAtomically(upstreamFile, text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM') throw error;
      throw new Error(
        `cannot write the nginx upstream file ${upstreamFile} (nginx-upstream-file): the runner's user needs to write its directory ${path.dirname(upstreamFile)}, not only the file (it is replaced atomically: a temp file beside it, then a rename); ${(error as Error).message}`,
      );
    }
  };
  const run = (command: string, signal: AbortSignal) => runner.run({ command, timeoutMs: 30_000, signal });
  return {
    read,
    /** `stillServed`: what users reach if it fails, for its message. */
    async apply(text: string, signal: AbortSignal, stillServed: string): Promise<void> {
      // Read before anything changes: a pid file that cannot be read stops here.
      const master = masterPid(options.pidFile);
      const workers = workersOf(master);
      const before = read();
      write(text);
      const test = await run(options.testCommand, signal);
      if (test.exitCode !== 0) {
        write(before);
        throw new Error(
          `\`${options.testCommand}\` (nginx-test-command) ${test.exitCode === null ? howItEnded(test) : `refused the new upstream (exit ${test.exitCode}${nginxSaid(test)})`}: the old upstream file is back and nginx was not reloaded`,
        );
      }
      const reload = await run(options.reloadCommand, signal);
      if (reload.exitCode !== 0 && !(await renewedWithin(master, workers, 2000, options.clock))) {
        // nginx serves the old file: the file must say so again.
        write(before);
        throw new Error(
          `\`${options.reloadCommand}\` (nginx-reload-command) ${howItEnded(reload)} and nginx did not reload: the old upstream file is back, users still reach ${stillServed}`,
        );
      }
      await drained(master, workers, options, signal);
    },
    async check(signal: AbortSignal): Promise<string> {
      const test = await run(options.testCommand, signal);
      if (test.exitCode !== 0)
        throw new Error(
          `\`${options.testCommand}\` (nginx-test-command) ${test.exitCode === null ? howItEnded(test) : `fails (exit ${test.exitCode}${nginxSaid(test)})`}`,
        );
      return `\`${options.testCommand}\` passes`;
    },
  };
}

/**
 * Took effect: new workers run the new upstream, and the old ones, which still accept until the
 * master tells them to finish, have finished what they served and exited (or drain-timeout: they
 * may still finish long requests while the new ones serve the new slot).
 */
async function drained(
  master: number,
  workers: readonly number[],
  options: NginxUpstreamOptions,
  signal: AbortSignal,
): Promise<void> {
  const { clock, drainTimeoutMs } = options;
  const deadline = clock.now() + drainTimeoutMs;
  if (!(await renewedWithin(master, workers, drainTimeoutMs, clock, signal)))
    throw new Error(
      `nginx started no new workers within ${drainTimeoutMs} ms of the reload: it may still serve the old slot`,
    );
  while (workersOf(master).some((pid) => workers.includes(pid)) && clock.now() <= deadline)
    await clock.sleep(20, signal);
}

/** Whether the master started new workers (a reload that took effect) within `ms`. */
async function renewedWithin(
  master: number,
  workers: readonly number[],
  ms: number,
  clock: Clock,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = clock.now() + ms;
  for (;;) {
    if (workersOf(master).some((pid) => !workers.includes(pid))) return true;
    if (clock.now() > deadline) return false;
    await clock.sleep(20, signal);
  }
}

function masterPid(pidFile: string): number {
  try {
    return Number(readFileSync(pidFile, 'utf8').trim());
  } catch (error) {
    throw new Error(`cannot read nginx's pid file ${pidFile}: ${(error as Error).message}`);
  }
}

/** The processes whose parent is `master` (Linux /proc). */
function workersOf(master: number): number[] {
  return [...processes()].filter(({ fields }) => Number(fields[1]) === master).map(({ pid }) => pid);
}

/**
 * What nginx said when it refused a configuration (its `[emerg]` line names the file and line):
 * not a secret, and the first thing a person needs. The end of it, on one line.
 */
function nginxSaid(result: { readonly stdout: string; readonly stderr: string }): string {
  const said = `${result.stderr}\n${result.stdout}`.replace(/\s+/g, ' ').trim();
  return said ? `: ${said.length > 500 ? `…${said.slice(-500)}` : said}` : '';
}
