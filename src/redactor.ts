import type { Logger } from './ports.ts';

const MASK = '***';

/**
 * A set of secret values and the text with them replaced by `***`, as the runner masks:
 * each line of a multi-line value on its own, longest first so an overlap cannot leak a tail.
 */
export class SecretSet {
  readonly #secrets = new Set<string>();

  /** Adds `value` and each of its lines; returns the pieces that were new. Pieces under 3 characters are too short to mask usefully. */
  add(value: string): string[] {
    const added: string[] = [];
    for (const piece of [value, ...value.split(/\r?\n/)].map((p) => p.trim())) {
      if (piece.length < 3 || this.#secrets.has(piece)) continue;
      this.#secrets.add(piece);
      added.push(piece);
    }
    return added;
  }

  redact(text: string): string {
    let result = text;
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length))
      result = result.split(secret).join(MASK);
    return result;
  }
}

/**
 * Knows the secret values of a run and removes them from any text that leaves it (reports,
 * summaries, issue bodies, state, metric labels). Registering a secret also masks it in the
 * log through the Logger.
 */
export class Redactor {
  readonly #secrets = new SecretSet();
  readonly #logger: Pick<Logger, 'mask'>;

  constructor(logger: Pick<Logger, 'mask'>) {
    this.#logger = logger;
  }

  add(value: string): void {
    for (const piece of this.#secrets.add(value)) this.#logger.mask(piece);
  }

  /** `text` with every known secret replaced by `***`. */
  redact(text: string): string {
    return this.#secrets.redact(text);
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

/**
 * Credentials recognisable by their shape, for text headed somewhere public (an issue, a PR
 * comment) that may hold secrets nobody registered: GitHub tokens, bearer/basic headers,
 * `password=…`-style assignments and passwords in URLs. A net under `Redactor`, not instead of it.
 */
const CREDENTIAL_SHAPES: readonly [RegExp, string][] = [
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, MASK],
  [/\b(authorization\s*[:=]\s*(?:bearer|basic|token)\s+)[^\s'"]+/gi, `$1${MASK}`],
  [/\b(bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi, `$1${MASK}`],
  [
    /\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)["']?\s*[:=]\s*["']?)[^\s'",;&]+/gi,
    `$1${MASK}`,
  ],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, `$1${MASK}@`],
];

export function scrubCredentials(text: string): string {
  return CREDENTIAL_SHAPES.reduce((result, [shape, replacement]) => result.replace(shape, replacement), text);
}
