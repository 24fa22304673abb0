/**
 * The two kinds of failure the product distinguishes.
 *
 * A ConfigurationError is the user's to fix: it names the input (and the field inside it)
 * and says what is accepted. It is never retried and never printed with a stack trace.
 * Everything else is ours or the world's (a network, a process) and may be retried.
 */
/** Another input whose value would make the problem go away (`force: true`), worded by each face. */
export interface Remedy {
  readonly input: string;
  readonly value: string;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /** The input (or CLI flag, or config key) at fault, e.g. `probes` or `failure-limit`. */
  readonly input: string;
  /** What is wrong with it, without the input's name: each face names the input its own way. */
  readonly problem: string;
  readonly remedy?: Remedy;

  constructor(input: string, problem: string, remedy?: Remedy) {
    super(`Input "${input}": ${problem}${remedy ? `, or set ${remedy.input}: ${remedy.value}` : ''}`);
    this.input = input;
    this.problem = problem;
    if (remedy) this.remedy = remedy;
  }
}

/** The error as a command line says it: the flag, the problem, and the flag that would help. */
export function describeForFlags(error: ConfigurationError): string {
  const remedy = error.remedy
    ? `, or pass ${error.remedy.value === 'true' ? `--${error.remedy.input}` : error.remedy.value === 'false' ? `--no-${error.remedy.input}` : `--${error.remedy.input}=${error.remedy.value}`}`
    : '';
  return `--${error.input}: ${error.problem}${remedy}`;
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
