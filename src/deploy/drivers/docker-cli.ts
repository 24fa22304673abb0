import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseImageReference, repositoryName } from '../../model/image.ts';
import type { DockerConnection } from '../../model/release.ts';
import type { CommandRunner, Logger } from '../../ports.ts';
import { AttemptFailedError, runLogged } from '../driver.ts';

/**
 * The docker CLI as the drivers run it: argv only (no shell ever sees a value), DOCKER_HOST from
 * docker-host, and registry credentials in a DOCKER_CONFIG of its own (a 0700 directory made for
 * the release and removed with it), never `docker login` into the runner's own config.
 */
export class DockerCli {
  readonly #runner: CommandRunner;
  readonly #logger: Logger;
  readonly #connection: DockerConnection;
  readonly #credentials: DockerConnection['registry'];
  #configDir: string | undefined;

  constructor(runner: CommandRunner, logger: Logger, connection: DockerConnection) {
    this.#runner = runner;
    this.#logger = logger;
    this.#connection = connection;
    this.#credentials = connection.registry;
  }

  /** Runs `docker <args>`, its output in the log; the failure as a sentence, or undefined. */
  async run(
    what: string,
    args: readonly string[],
    options: {
      env?: Readonly<Record<string, string>>;
      timeoutMs: number;
      signal?: AbortSignal;
      program?: readonly string[];
    },
  ): Promise<{ failure?: string; stdout: string }> {
    const [program, ...before] = options.program ?? ['docker'];
    const result = await runLogged(this.#runner, this.#logger, what, {
      argv: [program!, ...before, ...args],
      env: { ...this.#env(), ...options.env },
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { stdout: result.stdout, ...(result.failure ? { failure: result.failure } : {}) };
  }

  /** Reads without logging (inspect): stdout, or undefined when docker failed. */
  async read(args: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const result = await this.#runner.run({
      argv: ['docker', ...args],
      env: this.#env(),
      timeoutMs: 30_000,
      ...(signal ? { signal } : {}),
    });
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  /** Pulls `image` (name@sha256:…): Docker checks the bytes against the digest. */
  async pull(image: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    this.prepare(image);
    const pulled = await this.run(`docker pull ${image}`, ['pull', '--quiet', image], { timeoutMs, signal });
    if (pulled.failure) throw new AttemptFailedError(pulled.failure);
  }

  /**
   * Waits until `container` is running and, when its image has a HEALTHCHECK, healthy by it. An
   * exit or `unhealthy` fails the attempt; the container's last lines go to the log only.
   */
  async waitHealthy(container: string, timeoutMs: number, signal: AbortSignal) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = parseState(
        await this.read(['inspect', '--format', '{{json .State}}', container], signal),
      );
      const verdict = judgeState(state);
      if (verdict === 'ready')
        return state?.Health ? 'healthy by its own healthcheck' : 'running (no healthcheck in its image)';
      if (verdict !== 'waiting' || Date.now() > deadline) {
        await this.run(`docker logs ${container}`, ['logs', '--tail', '20', container], {
          timeoutMs: 10_000,
          signal,
        });
        throw new AttemptFailedError(
          verdict === 'waiting'
            ? `container ${container} was not healthy within ${Math.round(timeoutMs / 1000)} s`
            : `container ${container} ${verdict}`,
        );
      }
      await sleep(200, undefined, { signal });
    }
  }

  close(): void {
    if (this.#configDir) rmSync(this.#configDir, { recursive: true, force: true });
    this.#configDir = undefined;
  }

  #env(): Record<string, string> {
    return {
      ...(this.#connection.dockerHost ? { DOCKER_HOST: this.#connection.dockerHost } : {}),
      ...(this.#configDir ? { DOCKER_CONFIG: this.#configDir } : {}),
    };
  }

  /** The credentials for `image`'s registry in this release's own DOCKER_CONFIG (once). */
  prepare(image: string): void {
    if (!this.#credentials || this.#configDir) return;
    const reference = parseImageReference(image);
    if ('problem' in reference) return;
    const registry = reference.registry === 'docker.io' ? 'https://index.docker.io/v1/' : reference.registry;
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-actions-docker-'));
    chmodSync(dir, 0o700);
    const auth = Buffer.from(`${this.#credentials.username}:${this.#credentials.password}`).toString(
      'base64',
    );
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [registry]: { auth } } }), {
      mode: 0o600,
    });
    this.#configDir = dir;
    this.#logger.debug(
      `registry credentials for ${repositoryName(reference)} in a config of this release's own`,
    );
  }
}

interface ContainerState {
  readonly Status?: string;
  readonly Running?: boolean;
  readonly ExitCode?: number;
  readonly Health?: { readonly Status?: string };
}

function parseState(text: string | undefined): ContainerState | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ContainerState;
  } catch {
    return undefined;
  }
}

/** Ready, still waiting, or why it will not be: a pure reading of `docker inspect`'s State. */
export function judgeState(state: ContainerState | undefined): 'ready' | 'waiting' | string {
  if (!state) return 'is gone';
  if (state.Status === 'exited' || state.Status === 'dead')
    return `exited with code ${state.ExitCode ?? '?'}`;
  if (state.Status === 'restarting') return `keeps restarting (its last exit code ${state.ExitCode ?? '?'})`;
  if (state.Health?.Status === 'unhealthy') return 'is unhealthy by its own Docker healthcheck';
  if (state.Status !== 'running') return 'waiting';
  return !state.Health || state.Health.Status === 'healthy' ? 'ready' : 'waiting';
}
