/**
 * The two kinds of failure the product distinguishes.
 *
 * A ConfigurationError is the user's to fix: it names the input (and the field inside it)
 * and says what is accepted. It is never retried and never printed with a stack trace.
 * Everything else is ours or the world's (a network, a process) and may be retried.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /** The input (or CLI flag, or config key) at fault, e.g. `probes` or `failure-limit`. */
  readonly input: string;

  constructor(input: string, message: string) {
    super(`Input "${input}": ${message}`);
    this.input = input;
  }
}

/** The run was cancelled (SIGINT/SIGTERM from the runner, Ctrl-C on the CLI). */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** An error in our own code or the environment that the user cannot fix by changing inputs. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

/** Message of anything thrown, without assuming it is an Error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
