import type { Logger } from './ports.ts';

const MASK = '***';

/**
 * Knows the secret values of a run and removes them from any text that leaves it (reports,
 * summaries, issue bodies, state, metric labels). Registering a secret also masks it in the
 * log through the Logger, line by line, as the runner masks multi-line values.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  readonly #logger: Pick<Logger, 'mask'>;

  constructor(logger: Pick<Logger, 'mask'>) {
    this.#logger = logger;
  }

  /** Remembers `value` (and each of its lines) as secret. Values under 3 characters are too short to mask usefully. */
  add(value: string): void {
    const pieces = [value, ...value.split(/\r?\n/)].map((piece) => piece.trim());
    for (const piece of pieces) {
      if (piece.length < 3 || this.#secrets.has(piece)) continue;
      this.#secrets.add(piece);
      this.#logger.mask(piece);
    }
  }

  /** `text` with every known secret replaced by `***`, longest first so overlaps cannot leak a tail. */
  redact(text: string): string {
    let result = text;
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join(MASK);
    }
    return result;
  }

  /** A deep copy of plain data (JSON-like) with secrets redacted from every string, keys included. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item)) as T;
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).map(([key, item]) => [this.redact(key), this.redactValue(item)]);
      return Object.fromEntries(entries) as T;
    }
    return value;
  }
}
