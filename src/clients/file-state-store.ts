import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { environmentKey, sameEnvironment } from '../model/environment-name.ts';
import type { EnvironmentState, ReleaseRecord } from '../ports.ts';
import {
  decodeState,
  emptyState,
  encodeState,
  HISTORY_LIMIT,
  STATE_SCHEMA_VERSION,
} from '../state/state-file.ts';
import { appendOwned, writeFileAtomically } from './owned-files.ts';
import { isProcessAlive } from './process-alive.ts';

/**
 * Where the file backend keeps an environment's record.
 * `write` is atomic: a reader sees the old state or the new one, never a mix. A state that
 * cannot be read is an error with a recovery hint, never silently an empty one.
 */
export interface StateStore {
  read(environment: string): Promise<EnvironmentState>;
  write(state: EnvironmentState): Promise<void>;
}

/** The state cannot be trusted: nothing was changed, and the message says how to recover. */
export class StateCorruptError extends Error {
  override readonly name = 'StateCorruptError';
}

/** The state file is there but this user may not read it: its history is intact, the fix is access. */
export class StateUnreadableError extends Error {
  override readonly name = 'StateUnreadableError';
}

/**
 * Deploy state in `<dir>/<environment>.json`, with the copy before the last write in
 * `<environment>.json.bak`. Every write is atomic and durable: a temp file written and fsynced,
 * renamed over the old one, then the directory fsynced, so a crash or kill -9 at any moment
 * leaves either the old state or the new one.
 */
export class FileStateStore implements StateStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * The environment's file, found whatever its name's case (GitHub's environments ignore it): the
   * one file there is, spelled as first written; two spellings of one environment are an error.
   */
  fileFor(environment: string): string {
    const wanted = `${environmentKey(environment)}.json`;
    let names: string[] = [];
    try {
      names = readdirSync(this.#dir).filter((name) => name.toLowerCase() === wanted);
    } catch {
      // no state-dir yet
    }
    if (names.length > 1)
      throw new StateUnreadableError(
        `${this.#dir} holds ${names.join(' and ')}: one environment under two spellings (GitHub treats environment names without regard to case). Nothing was changed. Merge them into one file and remove the other.`,
      );
    return path.join(this.#dir, names[0] ?? `${environment}.json`);
  }

  async read(environment: string): Promise<EnvironmentState> {
    const file = this.fileFor(environment);
    if (!existsSync(file)) return emptyState(environment);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new StateUnreadableError(
        `The deploy state file ${file} cannot be read (${message}). Nothing was changed and its history is intact: ${
          code === 'EACCES' || code === 'EPERM'
            ? `give the user running deploys read and write access to it and to ${this.#dir} (chown or chmod), then run again`
            : 'fix what the error names, then run again'
        }. Do not move it aside.`,
      );
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw this.#corrupt(file, `it is not valid JSON (${(error as Error).message})`);
    }
    const state = decodeState(document, environment);
    if ('problem' in state) {
      // Restoring the backup would throw away the newest releases: the fix for a newer file is a newer tool.
      if (state.newer !== undefined)
        throw new StateCorruptError(
          `The deploy state file ${file} was written by a newer deploy-actions (state schema ${state.newer}; this one reads ${STATE_SCHEMA_VERSION}). Nothing was changed. Use that version of deploy-actions or newer; do not restore the backup, which would lose the newest releases.`,
        );
      throw this.#corrupt(file, state.problem);
    }
    if (!sameEnvironment(state.environment, environment))
      throw this.#corrupt(file, `it belongs to environment "${state.environment}"`);
    return state;
  }

  async write(state: EnvironmentState): Promise<void> {
    mkdirSync(this.#dir, { recursive: true });
    const file = this.fileFor(state.environment);
    removeAbandonedTemps(this.#dir, path.basename(file));
    if (existsSync(file)) {
      this.#archiveDropped(file, state);
      // The copy is a convenience for recovery, not the record: atomic, but not worth an fsync.
      writeFileAtomically(`${file}.bak`, readFileSync(file));
    }
    writeFileAtomically(file, encodeState(state), { durable: true });
  }

  /** Where releases cut from a history over HISTORY_LIMIT are kept, one JSON line each, oldest first. */
  archiveFor(environment: string): string {
    return archiveOf(this.fileFor(environment));
  }

  /**
   * The state keeps its newest HISTORY_LIMIT releases; those it drops, and that the file on disk
   * still holds, are appended to the archive first (so each is archived once, never lost).
   */
  #archiveDropped(file: string, state: EnvironmentState): void {
    const dropped = state.releases.slice(0, Math.max(0, state.releases.length - HISTORY_LIMIT));
    if (dropped.length === 0) return;
    const key = (r: ReleaseRecord) => `${r.version}@${r.startedAt}`;
    let onDisk: Set<string>;
    try {
      onDisk = new Set((JSON.parse(readFileSync(file, 'utf8')) as EnvironmentState).releases.map(key));
    } catch {
      return;
    }
    const archived = dropped.filter((r) => onDisk.has(key(r)));
    if (archived.length === 0) return;
    appendOwned(archiveOf(file), archived.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  #corrupt(file: string, why: string): StateCorruptError {
    const backup = `${file}.bak`;
    const hint =
      existsSync(backup) && isReadable(backup)
        ? `restore the copy from before the last write: cp '${backup}' '${file}'`
        : `move it aside to start with no history: mv '${file}' '${file}.corrupt'`;
    return new StateCorruptError(
      `The deploy state file ${file} cannot be read: ${why}. Nothing was changed. To recover, ${hint}`,
    );
  }
}

/** The history archive beside a state file: `<environment>.history.jsonl`. */
function archiveOf(stateFile: string): string {
  return stateFile.replace(/\.json$/, '.history.jsonl');
}

/** Temp files of writers that died mid-write (kill -9): never read, only cleared. */
function removeAbandonedTemps(dir: string, base: string): void {
  for (const name of readdirSync(dir)) {
    const match = /^(.+)\.(\d+)\.\d+\.tmp$/.exec(name);
    if (!match || !match[1]!.startsWith(base) || isProcessAlive(Number(match[2]))) continue;
    rmSync(path.join(dir, name), { force: true });
  }
}

function isReadable(file: string): boolean {
  try {
    JSON.parse(readFileSync(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}
