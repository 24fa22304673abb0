import { type FSWatcher, watch } from 'node:fs';
import type { Clock } from '../ports.ts';

/**
 * Waits for a directory to change (a ticket removed, a new one taken), woken by the kernel
 * (inotify on Linux) the moment it happens, with a look every `pollMs` as the fallback where
 * no notice comes (a network file system, a watch the system refused). A change that arrives
 * between two waits is not lost: the next wait returns at once.
 */
export class DirectoryWake {
  readonly #watcher: FSWatcher | undefined;
  #watching = false;
  #changed = false;
  #wake: (() => void) | undefined;

  constructor(dir: string) {
    this.#watcher = tryWatch(
      dir,
      () => {
        this.#changed = true;
        this.#wake?.();
      },
      () => {
        this.#watching = false;
      },
    );
    this.#watching = this.#watcher !== undefined;
  }

  /** Resolves when the directory changed, or after `pollMs`; rejects when `signal` aborts. */
  async next(clock: Clock, pollMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#changed) {
      this.#changed = false;
      return;
    }
    const woken = new AbortController();
    this.#wake = () => woken.abort();
    try {
      await clock.sleep(pollMs, signal ? AbortSignal.any([woken.signal, signal]) : woken.signal);
    } catch (error) {
      if (signal?.aborted || !woken.signal.aborted) throw error;
    } finally {
      this.#wake = undefined;
      this.#changed = false;
    }
  }

  /** Whether the kernel tells of changes; if not, only looking again finds them. */
  get watching(): boolean {
    return this.#watching;
  }

  close(): void {
    this.#watcher?.close();
  }
}

function tryWatch(dir: string, onChange: () => void, onLost: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, onChange);
    watcher.on('error', () => {
      watcher.close(); // polling carries on alone
      onLost();
    });
    return watcher;
  } catch {
    return undefined;
  }
}
