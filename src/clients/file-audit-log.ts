import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AuditLog } from '../ports.ts';

/**
 * JSON lines appended to one file. Each entry is a single write with O_APPEND, so entries from
 * concurrent processes never interleave, and nothing written is ever rewritten.
 */
export class FileAuditLog implements AuditLog {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  async append(entry: Readonly<Record<string, unknown>>): Promise<void> {
    mkdirSync(path.dirname(this.#file), { recursive: true });
    appendFileSync(this.#file, `${JSON.stringify(entry)}\n`, { flag: 'a' });
  }
}
