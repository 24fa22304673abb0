import { type AnnotationProperties, type Logger, SecretSet, type UntrustedStream } from '../src/index.ts';

export interface ConsoleLoggerOptions {
  readonly verbose: boolean;
  readonly colour: boolean;
  /** Writes one line, or several joined by newlines; a promise when the reader is behind. */
  readonly out: (line: string) => Promise<void> | undefined;
  readonly err: (line: string) => void;
}

/**
 * The Logger for a terminal or a CI log outside GitHub: plain lines, colours only on a TTY,
 * groups shown with --verbose, and its own masking (no runner masks for us here).
 */
export class ConsoleLogger implements Logger {
  readonly #secrets = new SecretSet();
  readonly #options: ConsoleLoggerOptions;

  constructor(options: ConsoleLoggerOptions) {
    this.#options = options;
  }

  debug(message: string): void {
    if (this.#options.verbose) this.#options.err(this.#paint('2', `debug: ${this.#mask(message)}`));
  }
  info(message: string): void {
    this.#options.out(this.#mask(message));
  }
  warning(message: string, properties?: AnnotationProperties): void {
    this.#options.err(this.#paint('33', `warning: ${this.#title(properties)}${this.#mask(message)}`));
  }
  error(message: string, properties?: AnnotationProperties): void {
    this.#options.err(this.#paint('31', `error: ${this.#title(properties)}${this.#mask(message)}`));
  }
  group(title: string, body: () => void): void {
    if (!this.#options.verbose) return;
    this.#options.out(this.#paint('1', `── ${this.#mask(title)}`));
    body();
  }
  untrusted(text: string): void {
    this.#options.out(this.#mask(text));
  }
  untrustedStream(): UntrustedStream {
    return { write: (lines) => this.#options.out(this.#mask(lines.join('\n'))), end: () => {} };
  }
  mask(secret: string): void {
    this.#secrets.add(secret);
  }

  #mask(text: string): string {
    return this.#secrets.redact(text);
  }
  #title(properties?: AnnotationProperties): string {
    return properties?.title ? `${this.#mask(properties.title)}: ` : '';
  }
  #paint(code: string, text: string): string {
    return this.#options.colour ? `\u001b[${code}m${text}\u001b[0m` : text;
  }
}
