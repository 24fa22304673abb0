import type { Clock, EnvironmentState, ReleaseBackend, ReleaseSession } from '../ports.ts';
import { FileDeployLock } from './file-deploy-lock.ts';
import { FileStateStore } from './file-state-store.ts';

/**
 * Releases in state-dir on this runner (or a directory runners share): the record in
 * `<environment>.json`, the queue as numbered tickets in `<environment>.lock/`.
 */
export class FileReleaseBackend implements ReleaseBackend {
  readonly #store: FileStateStore;
  readonly #lock: FileDeployLock;

  constructor(stateDir: string, clock: Clock, host: string) {
    this.#store = new FileStateStore(stateDir);
    this.#lock = new FileDeployLock(stateDir, { clock, host });
  }

  read(environment: string): Promise<EnvironmentState> {
    return this.#store.read(environment);
  }

  holder(environment: string) {
    return this.#lock.holder(environment);
  }

  async begin(
    ...[environment, owner, options]: Parameters<ReleaseBackend['begin']>
  ): Promise<ReleaseSession> {
    const held = await this.#lock.acquire(environment, owner, options);
    return {
      token: held.token,
      read: () => this.#store.read(environment),
      write: (state) => this.#store.write(state),
      ...(held.guard ? { guard: held.guard } : {}),
      end: () => held.release(),
    };
  }

  async endAbandoned(
    environment: string,
    token: string,
    settle: (state: EnvironmentState) => EnvironmentState,
  ): Promise<boolean> {
    // Settled while the abandoned ticket still holds the queue, so no release can slip in between.
    return this.#lock.releaseToken(environment, token, async () => {
      const state = await this.#store.read(environment);
      const settled = settle(state);
      if (settled !== state) await this.#store.write(settled);
    });
  }
}
