/** Keeps the last `limit` characters of a stream of text: enough to judge and report, never unbounded. */
export class TailBuffer {
  #text = '';
  #dropped = false;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  append(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > this.#limit * 2) this.#trim();
  }

  /** The kept text; prefixed with a marker when earlier text was dropped. */
  toString(): string {
    this.#trim();
    return this.#dropped ? `…${this.#text}` : this.#text;
  }

  #trim(): void {
    if (this.#text.length <= this.#limit) return;
    this.#text = this.#text.slice(-this.#limit);
    this.#dropped = true;
  }
}
