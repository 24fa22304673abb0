import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { CommandRequest, CommandResult, CommandRunner } from '../ports.ts';
import type { SshSession } from './ssh-session.ts';
import type { Target, TargetEntry, TargetRunOptions } from './target.ts';

/**
 * A host over SSH as a target: each effect is one argv run there through the session's single
 * connection (quoted once, never pasted into a shell line), with coreutils' atomic rename for
 * links and tar streamed over ssh for artifacts.
 */
export class SshTarget implements Target {
  readonly name: string;
  readonly runner: CommandRunner;
  readonly #session: SshSession;

  constructor(session: SshSession, host: string) {
    this.name = host;
    this.#session = session;
    this.runner = { run: (request) => session.run(host, remoteArgv(request), options(request)) };
  }

  async exists(file: string): Promise<boolean> {
    return (await this.#run(['test', '-e', file])).exitCode === 0;
  }

  async install(
    artifact: string,
    dir: string,
    { like, ...limits }: TargetRunOptions & { readonly like?: string } = {},
  ): Promise<void> {
    const isDir = statSync(artifact, { throwIfNoEntry: false })?.isDirectory();
    if (isDir === undefined) throw new Error(`the artifact ${artifact} does not exist`);
    const staging = `${dir}.installing-${randomUUID().slice(0, 8)}`;
    await this.#must('preparing the release directory', ['mkdir', '-p', '--', staging]);
    try {
      // A directory, with rsync on both sides: only what changed since the previous release travels.
      const sent =
        isDir && (await this.#hasRsync())
          ? await this.#session.rsync(this.name, artifact, staging, like, limits)
          : await this.#session.send(
              this.name,
              isDir ? ['tar', '-xf', '-', '-C', staging] : ['tar', '-xzf', '-', '-C', staging],
              isDir ? { dir: artifact } : { file: artifact },
              limits,
            );
      if (sent.exitCode !== 0)
        throw new Error(`sending ${artifact} to ${this.name} failed (exit ${sent.exitCode ?? sent.signal})`);
      // Appears whole or not at all; its time is the install's (for pruning).
      await this.#must('placing the release', [
        'sh',
        '-c',
        'touch -- "$1" && mv -T -- "$1" "$2"',
        'sh',
        staging,
        dir,
      ]);
    } catch (error) {
      await this.#run(['rm', '-rf', '--', staging]);
      throw error;
    }
  }

  #rsync: Promise<boolean> | undefined;
  /** rsync here and on the host (asked once per target). */
  #hasRsync(): Promise<boolean> {
    this.#rsync ??= (async () => {
      const here = await this.#session.runLocal(['rsync', '--version']).then(
        (result) => result.exitCode === 0,
        () => false,
      );
      return here && (await this.#run(['sh', '-c', 'command -v rsync >/dev/null'])).exitCode === 0;
    })();
    return this.#rsync;
  }

  async readLink(link: string): Promise<string | undefined> {
    const read = await this.#run(['sh', '-c', '[ -L "$1" ] || exit 3; readlink -- "$1"', 'sh', link]);
    if (read.exitCode === 3) return undefined;
    if (read.exitCode !== 0)
      throw new Error(`reading the link ${link} on ${this.name} failed (exit ${read.exitCode})`);
    return path.posix.resolve(path.posix.dirname(link), read.stdout.replace(/\n$/, ''));
  }

  async switchLink(link: string, target: string): Promise<void> {
    const temp = `${link}.next-${randomUUID().slice(0, 8)}`;
    const relative = path.posix.relative(path.posix.dirname(link), target);
    await this.#must(`switching ${link}`, [
      'sh',
      '-c',
      'ln -s -- "$1" "$3" && mv -fT -- "$3" "$2"',
      'sh',
      relative,
      link,
      temp,
    ]);
  }

  async list(dir: string): Promise<readonly TargetEntry[]> {
    const listed = await this.#must(`listing ${dir}`, [
      'sh',
      '-c',
      '[ -d "$1" ] || exit 0; find "$1" -mindepth 1 -maxdepth 1 -printf "%f\\t%T@\\n"',
      'sh',
      dir,
    ]);
    return listed.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const tab = line.lastIndexOf('\t');
        return { name: line.slice(0, tab), mtimeMs: Number(line.slice(tab + 1)) * 1000 };
      });
  }

  async realPath(file: string): Promise<string> {
    return (await this.#must(`resolving ${file}`, ['realpath', '-m', '--', file])).stdout.replace(/\n$/, '');
  }

  async remove(file: string): Promise<void> {
    await this.#must(`removing ${file}`, ['rm', '-rf', '--', file]);
  }

  #run(argv: readonly string[]): Promise<CommandResult> {
    return this.#session.run(this.name, argv, { timeoutMs: 60_000 });
  }

  /** Runs `argv`; a failure is an error saying what it was doing where (never its output). */
  async #must(what: string, argv: readonly string[]): Promise<CommandResult> {
    const result = await this.#run(argv);
    if (result.exitCode !== 0)
      throw new Error(`${what} on ${this.name} failed (exit ${result.exitCode ?? result.signal})`);
    return result;
  }
}

/** A command request as the argv run on the host: in its directory there, with its variables there. */
function remoteArgv(request: CommandRequest): string[] {
  const program = 'command' in request ? ['sh', '-c', request.command] : [...request.argv];
  const env = Object.entries(request.env ?? {}).map(([name, value]) => `${name}=${value}`);
  const withEnv = env.length > 0 ? ['env', ...env, ...program] : program;
  return request.cwd
    ? ['sh', '-c', 'cd -- "$1" || exit 125; shift; exec "$@"', 'sh', request.cwd, ...withEnv]
    : withEnv;
}

function options(request: CommandRequest) {
  const { timeoutMs, signal, onStart, onOutput } = request;
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(signal ? { signal } : {}),
    ...(onStart ? { onStart } : {}),
    ...(onOutput ? { onOutput } : {}),
  };
}
