import type { ChildProcess } from 'node:child_process';
import type { CommandRequest, CommandResult, CommandRunner } from '../ports.ts';
import { groupAlive, type Leftover, membersOf } from './process-group.ts';
import { TailBuffer } from './tail-buffer.ts';

export interface ProcessRunnerOptions {
  /** The environment every command starts from (the adapter passes the process's own). */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** Time between SIGTERM and SIGKILL when a tree is stopped. Default 2000 ms. */
  readonly killGraceMs?: number;
  /** Characters of each stream kept for the result. Default 64 KiB. */
  readonly keepOutput?: number;
  /**
   * After the command exited, how long what it started may take to leave its group (setsid,
   * nohup, a daemon's double fork) before what is left is stopped and named. Default 1000 ms.
   */
  readonly detachGraceMs?: number;
}

/**
 * Runs commands with `/bin/sh -c` in a process group of their own, so that a timeout or an abort
 * stops the whole tree (ssh, ansible, sleep …), not only the shell: SIGTERM to the group, then
 * SIGKILL after the grace period. A command is done when it exits: what it started gets a short
 * grace to detach (setsid), what is still in its group then is stopped and named in the result,
 * and output still held open by a process that left the group is no longer waited for.
 */
export class ProcessRunner implements CommandRunner {
  readonly #options: ProcessRunnerOptions;

  constructor(options: ProcessRunnerOptions) {
    this.#options = options;
  }

  // Loaded on first use (or prepare()), so a check without command probes does not pay for it.
  #childProcess: Promise<typeof import('node:child_process')> | undefined;

  prepare(): void {
    this.#childProcess ??= import('node:child_process');
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    this.prepare();
    const { spawn } = await this.#childProcess!;
    const started = performance.now();
    const keep = this.#options.keepOutput ?? 64 * 1024;
    const out = { stdout: new TailBuffer(keep), stderr: new TailBuffer(keep) };
    // With onStart, the command waits for a go on its stdin, given once onStart returned: a lock
    // records the group before anything in it runs, so no kill -9 can fall between the two. If
    // this process dies first, the go never comes and the command never runs.
    const gated = request.onStart !== undefined;
    const argv: readonly string[] = 'argv' in request ? request.argv : ['/bin/sh', '-c', request.command];
    const [file, ...args] = gated ? ['/bin/sh', '-c', GATE, 'gate', ...argv] : argv;
    const child = spawn(file!, args, {
      cwd: request.cwd,
      env: { ...this.#options.baseEnv, ...request.env },
      detached: true,
      stdio: [gated || request.holdStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) request.onStart?.(child.pid);
    child.stdin?.on('error', () => {}); // the command may be gone already (spawn failed)
    if (gated) child.stdin?.[request.holdStdin ? 'write' : 'end']('go\n');
    let timedOut = false;
    let aborted = false;
    let stopping = false;
    const stopTree = () => {
      if (stopping) return;
      stopping = true;
      // A held stdin ends first: an ssh multiplexed through a master hands its stdin to the
      // master, so the host learns of the stop from its end, not from this process's signal.
      child.stdin?.destroy();
      this.#stopGroup(child);
    };
    const timer = request.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          stopTree();
        }, request.timeoutMs)
      : undefined;
    const onAbort = () => {
      aborted = true;
      stopTree();
    };
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    // Backpressure: while the consumer of the output catches up, neither stream is read, so the
    // command blocks on its own writes instead of filling this process's memory.
    let waiting = 0;
    const streams = [child.stdout!, child.stderr!];
    const caughtUp = () => {
      if (--waiting === 0) for (const s of streams) s.resume();
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.setEncoding('utf8');
      child[stream]!.on('data', (chunk: string) => {
        out[stream].append(chunk);
        const later = request.onOutput?.(chunk, stream);
        if (!later) return;
        if (waiting++ === 0) for (const s of streams) s.pause();
        later.then(caughtUp, caughtUp);
      });
    }
    const after: AfterExit = { leftovers: [], outputHeld: false };
    return new Promise((resolve) => {
      let done = false;
      let exited = false;
      const finish = (exitCode: number | null, signal: string | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        child.stdin?.destroy();
        request.signal?.removeEventListener('abort', onAbort);
        resolve({
          exitCode,
          signal,
          stdout: out.stdout.toString(),
          stderr: out.stderr.toString(),
          timedOut,
          aborted,
          durationMs: performance.now() - started,
          ...(after.leftovers.length > 0 ? { leftovers: after.leftovers } : {}),
          ...(after.outputHeld ? { outputHeld: true } : {}),
        });
      };
      child.on('error', (error) => {
        out.stderr.append(`${error.message}\n`);
        finish(127, null);
      });
      // A stopped tree (timeout, abort) is done when its output closes; an exited command once
      // what it left is settled (see #afterExit).
      child.on('close', (code, signal) => {
        if (stopping || !exited) finish(code, signal);
      });
      child.on('exit', (code, signal) => {
        if (stopping) return;
        exited = true;
        void this.#afterExit(child, after, () => waiting > 0).then(() => finish(code, signal));
      });
    });
  }

  /**
   * The shell is gone. What it started may take a moment to leave its group (setsid, nohup, a
   * double fork); what is still in the group after that grace is named and stopped. A command is
   * done when it exits: output still held open by a process that left the group is not waited
   * for (its output is no longer read), while output the log is still catching up on is.
   */
  async #afterExit(child: ChildProcess, after: AfterExit, backlogged: () => boolean): Promise<void> {
    const group = child.pid!;
    const closed = () => child.stdout!.readableEnded && child.stderr!.readableEnded;
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    const grace = performance.now() + (this.#options.detachGraceMs ?? 1000);
    while ((groupAlive(group) || !closed()) && (performance.now() < grace || backlogged())) await tick();
    if (groupAlive(group)) {
      after.leftovers = membersOf(group);
      this.#stopGroup(child);
      const stopped = performance.now() + (this.#options.killGraceMs ?? 2000) + 500;
      while (groupAlive(group) && performance.now() < stopped) await tick();
    }
    for (const limit = performance.now() + 200; !closed() && (performance.now() < limit || backlogged()); )
      await tick();
    if (closed()) return;
    after.outputHeld = true;
    child.stdout!.destroy();
    child.stderr!.destroy();
  }

  #stopGroup(child: ChildProcess): void {
    if (!killGroup(child, 'SIGTERM')) return;
    const grace = setTimeout(() => killGroup(child, 'SIGKILL'), this.#options.killGraceMs ?? 2000);
    grace.unref();
  }
}

interface AfterExit {
  leftovers: Leftover[];
  outputHeld: boolean;
}

/** Reads the go, then becomes the command (its argv passed as "$@", never spliced into the script). */
const GATE = 'IFS= read -r go && exec "$@"';

/** Signals the child's whole process group; false when it is already gone. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}
