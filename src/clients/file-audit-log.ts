import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AuditLog } from '../ports.ts';
import { appendOwned } from './owned-files.ts';

/**
 * JSON lines appended to one file. Each entry is a single write with O_APPEND, so entries from
 * concurrent processes never interleave, nothing written is ever rewritten, and a symlink planted
 * in its place is never followed.
 */
export class FileAuditLog implements AuditLog {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  async append(entry: Readonly<Record<string, unknown>>): Promise<void> {
    mkdirSync(path.dirname(this.#file), { recursive: true });
    appendOwned(this.#file, `${JSON.stringify(entry)}\n`);
  }
}
