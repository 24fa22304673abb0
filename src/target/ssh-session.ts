import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { identityOf } from '../clients/process-alive.ts';
import { formatSshEndpoint, type SshEndpoint } from '../model/ssh-endpoint.ts';
import type { CommandOptions, CommandResult, CommandRunner } from '../ports.ts';
import { shellCommand, shellQuote } from './shell-quote.ts';
import { agentSocket, unlockKey } from './ssh-agent.ts';
import { renderSshConfig } from './ssh-config.ts';
import { explainSshFailure, hopNamed } from './ssh-failure.ts';
import { SESSION_PREFIX, sweepAbandonedSshDirs } from './ssh-sweep.ts';

/**
 * Runs "$@" on the host in a process group of its own, and stops that group once ssh's stdin
 * reaches its end: without a terminal, sshd sends no signal when the runner's side goes (a
 * cancel, a timeout, kill -9), so the command would run on beside the next release. Its stdin
 * is /dev/null; its exit status is the command's.
 */
const STOP_WITH_US = [
  // A background list's stdin is /dev/null: the watcher reads ssh's stdin through fd 3.
  'exec 3<&0',
  'setsid "$@" </dev/null 3<&- & pid=$!',
  '{ cat <&3 >/dev/null 2>&1; kill -TERM "-$pid" 2>/dev/null; sleep 3; kill -KILL "-$pid" 2>/dev/null; } >/dev/null 2>&1 &',
  'watcher=$!',
  'exec 3<&-',
  'wait "$pid"; status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

/** A host the release reaches over SSH: its name (for people) and where ssh logs in. */
export interface SshHost {
  readonly name: string;
  readonly endpoint: SshEndpoint;
}

export interface SshSessionSettings {
  readonly hosts: readonly SshHost[];
  /** A ProxyJump chain, in order. */
  readonly jump: readonly SshEndpoint[];
  /** known_hosts lines for every host and hop: the only keys trusted (required). */
  readonly knownHosts: string;
  /** The deploy key (a secret); absent: an agent already running (SSH_AUTH_SOCK). */
  readonly privateKey?: string;
  /** The deploy key's passphrase (a secret), unlocked into the session's own ssh-agent. */
  readonly keyPassphrase?: string;
  readonly connectTimeoutSeconds: number;
}

/**
 * The SSH side of a release: a private directory under the runner's temp dir (0700) holding the
 * generated ssh_config, the known hosts and the deploy key (0600, created exclusively), and one
 * multiplexed connection per host for the whole release. Every remote call is an argv, quoted
 * once (shellCommand) into the one string ssh sends; `close` ends the connections and removes
 * the directory, key included.
 */
export class SshSession {
  readonly #runner: CommandRunner;
  readonly #dir: string;
  readonly #config: string;
  readonly #aliases: ReadonlyMap<string, string>;
  readonly #hosts: ReadonlyMap<string, SshHost>;
  /** The ProxyJump chain, to name a hop ssh's error is about. */
  readonly #jump: readonly SshEndpoint[];
  /** Per alias: its master connection (ssh -M -N), running until close, or why it failed. */
  readonly #masters = new Map<string, Promise<string | undefined>>();
  readonly #stop = new AbortController();
  /**
   * Where the master connections' sockets live: the session's directory, or, when its path is
   * too long for a Unix socket (108 bytes, ssh's random suffix included: a deep RUNNER_TEMP), a
   * short one of its own under /tmp (sockets only, no secret).
   */
  readonly #controlDir: string;
  readonly #ended: Promise<unknown>[] = [];
  /** A key with a passphrase: the session's agent unlocking it (why not, if it failed). */
  #unlocked: Promise<string | undefined> | undefined;

  private constructor(
    runner: CommandRunner,
    dir: string,
    hosts: readonly SshHost[],
    jump: readonly SshEndpoint[],
  ) {
    this.#runner = runner;
    this.#jump = jump;
    this.#dir = dir;
    this.#config = path.join(dir, 'ssh_config');
    this.#aliases = new Map(hosts.map((host, i) => [host.name, `h${i + 1}`]));
    this.#hosts = new Map(hosts.map((host) => [host.name, host]));
    const longest = `${dir}/h${hosts.length}.XXXXXXXXXXXXXXXX`;
    this.#controlDir = Buffer.byteLength(longest) < 100 ? dir : mkdtempSync('/tmp/da-ssh-');
  }

  /** Writes the config, known hosts and key under `tempDir`; nothing is connected yet. */
  static open(settings: SshSessionSettings, runner: CommandRunner, tempDir: string): SshSession {
    sweepAbandonedSshDirs(tempDir);
    const dir = mkdtempSync(path.join(tempDir, SESSION_PREFIX));
    const session = new SshSession(runner, dir, settings.hosts, settings.jump);
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600, flag: 'wx' });
      return file;
    };
    try {
      // Whose it is: a session whose process is gone (kill -9) is swept by the next one, or the post step.
      write('owner', JSON.stringify(identityOf(process.pid)));
      const knownHostsFile = write('known_hosts', settings.knownHosts);
      const identityFile = settings.privateKey ? write('id_deploy', settings.privateKey) : undefined;
      write(
        'ssh_config',
        renderSshConfig({
          hosts: settings.hosts.map((host) => ({
            alias: session.#aliases.get(host.name)!,
            endpoint: host.endpoint,
          })),
          jump: settings.jump,
          knownHostsFile,
          ...(identityFile && settings.keyPassphrase
            ? { identityFile: `${identityFile}.pub`, identityAgent: agentSocket(dir) }
            : identityFile
              ? { identityFile }
              : {}),
          controlDir: session.#controlDir,
          connectTimeoutSeconds: settings.connectTimeoutSeconds,
        }),
      );
      // Unlocked once, before the first connection; the agent ends with the session.
      if (identityFile && settings.keyPassphrase)
        session.#unlocked = unlockKey(
          runner,
          dir,
          identityFile,
          settings.keyPassphrase,
          session.#stop.signal,
          session.#ended,
        );
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return session;
  }

  /** The directory holding the key: the post step removes it if this run was killed. */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Runs `argv` on `host` (by name), as the deploy user, through its one connection (made on
   * first use). A host that cannot be reached is an error saying why.
   */
  async run(host: string, argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    const why = await this.check(host, options.signal);
    if (why) throw new Error(why);
    return this.#runner.run({
      ...options,
      argv: [
        'ssh',
        '-F',
        this.#config,
        this.#aliases.get(host)!,
        '--',
        shellCommand(['sh', '-c', STOP_WITH_US, 'sh', ...argv]),
      ],
      // Open for as long as we run: its end, however we end, tells the host to stop the command.
      holdStdin: true,
    });
  }

  /**
   * Connects to `host` (once per session): undefined when it works, else why not, in words a
   * person can act on (the host key seen when it is not the one given, a refused key, no route).
   */
  check(host: string, signal?: AbortSignal): Promise<string | undefined> {
    const alias = this.#aliases.get(host);
    if (!alias) throw new Error(`no host named ${host}`);
    let master = this.#masters.get(alias);
    if (!master) {
      master = this.#connect(host, alias, signal);
      this.#masters.set(alias, master);
    }
    return master;
  }

  /** Starts `alias`'s master (ssh -M -N, until close) and waits until it serves, or says why it ended. */
  async #connect(host: string, alias: string, signal?: AbortSignal): Promise<string | undefined> {
    const locked = await this.#unlocked;
    if (locked) return `${host}: ${locked}`;
    const ended = this.#runner.run({
      argv: ['ssh', '-F', this.#config, '-M', '-N', alias],
      signal: this.#stop.signal,
    });
    this.#ended.push(ended);
    let exited: CommandResult | undefined;
    void ended.then((result) => {
      exited = result;
    });
    for (;;) {
      if (exited) return this.#explain(host, exited, signal);
      const up = await this.#runner.run({
        argv: ['ssh', '-F', this.#config, '-O', 'check', alias],
        timeoutMs: 5000,
      });
      if (up.exitCode === 0) return undefined;
      if (signal?.aborted) return `${host}: cancelled while connecting`;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Runs `remoteArgv` on `host` with its standard input fed from the runner: a file as it is, or
   * a directory as a tar stream (tar on both sides; every value a positional parameter of the
   * local sh, never part of its script).
   */
  async send(
    host: string,
    remoteArgv: readonly string[],
    source: { readonly file: string } | { readonly dir: string },
    options: Pick<CommandOptions, 'timeoutMs' | 'signal'> = {},
  ): Promise<CommandResult> {
    const why = await this.check(host, options.signal);
    if (why) throw new Error(why);
    const alias = this.#aliases.get(host)!;
    const remote = shellCommand(remoteArgv);
    const script =
      'file' in source
        ? 'exec ssh -F "$1" "$2" -- "$3" < "$4"'
        : 'tar -C "$4" -cf - . | ssh -F "$1" "$2" -- "$3"';
    const from = 'file' in source ? source.file : source.dir;
    return this.#runner.run({
      ...options,
      argv: ['sh', '-c', script, 'sh', this.#config, alias, remote, from],
    });
  }

  /**
   * Copies the directory `source` into `remoteDir` on `host` with rsync over the session's
   * connection; `linkDest` (the previous release, absolute): files unchanged since are hard-linked
   * there, not sent. Paths travel in rsync's protocol (-s), never through the remote shell.
   */
  async rsync(
    host: string,
    source: string,
    remoteDir: string,
    linkDest: string | undefined,
    options: Pick<CommandOptions, 'timeoutMs' | 'signal'> = {},
  ): Promise<CommandResult> {
    const why = await this.check(host, options.signal);
    if (why) throw new Error(why);
    return this.#runner.run({
      ...options,
      argv: [
        'rsync',
        '-a',
        // By content, not size and time: an artifact's files are often rewritten with the same
        // size in the same second (a VERSION file), and a stale hard link would deploy the old one.
        '--checksum',
        '-s',
        '-e',
        `ssh -F ${shellQuote(this.#config)}`,
        ...(linkDest ? [`--link-dest=${linkDest}`] : []),
        '--',
        `${source}/`,
        `${this.#aliases.get(host)!}:${remoteDir}/`,
      ],
    });
  }

  /** A command on the runner (a tool the session needs here, e.g. rsync). */
  runLocal(argv: readonly string[]): Promise<CommandResult> {
    return this.#runner.run({ argv: [...argv] as [string, ...string[]], timeoutMs: 10_000 });
  }

  async #explain(host: string, result: CommandResult, signal?: AbortSignal): Promise<string> {
    const target = this.#hosts.get(host)!;
    // Through jumps, ssh's message may be about a hop: named as such, never blamed on the host.
    const hop = hopNamed(result.stderr, this.#jump, target.endpoint);
    const where = `${host} (${formatSshEndpoint(target.endpoint)})${hop ? `: the jump host ${formatSshEndpoint(hop)}` : ''}`;
    const why = explainSshFailure(result.stderr);
    if (!/host key/.test(why)) return `${where}: ${why}`;
    return `${where}: ${why}. It showed ${await this.#hostKeySeen(host, signal)}`;
  }

  /** The host key `host` shows, as ssh's own debug output names it (through the jumps too). */
  async #hostKeySeen(host: string, signal?: AbortSignal): Promise<string> {
    const alias = this.#aliases.get(host)!;
    const result = await this.#runner.run({
      argv: ['ssh', '-v', '-F', this.#config, alias, '--', 'true'],
      timeoutMs: 30_000,
      ...(signal ? { signal } : {}),
    });
    const seen = /Server host key: (\S+) (SHA256:[A-Za-z0-9+/=]+)/.exec(result.stderr);
    return seen ? `${seen[1]} ${seen[2]}` : 'no key ssh could read';
  }

  /** Ends every connection and removes the directory (the key with it). */
  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled(this.#ended);
    rmSync(this.#dir, { recursive: true, force: true });
    if (this.#controlDir !== this.#dir) rmSync(this.#controlDir, { recursive: true, force: true });
  }
}
