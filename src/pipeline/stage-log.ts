import { ConfigurationError, describeError, InterruptedError } from '../errors.ts';
import type { Clock, Logger } from '../ports.ts';

export type StageName =
  | 'preflight'
  | 'gate'
  | 'deploy'
  | 'health-check'
  | 'check-production'
  | 'rollback'
  | 're-verify'
  | 'incident';

/** paused: the deploy was verified on its slot and waits for promotion (promotion: manual). */
export type StageResult = 'passed' | 'warnings' | 'failed' | 'unchanged' | 'dry-run' | 'paused';

/** One stage as it ran: when (ms from the pipeline's start), how long, and how it ended. */
export interface StageRecord {
  readonly name: StageName;
  readonly result: StageResult;
  readonly startMs: number;
  readonly durationMs: number;
  readonly detail: string;
}

/** What a stage's body hands back: how it ended, in a sentence, and its value. */
export interface StageEnd<T> {
  readonly result: StageResult;
  readonly detail: string;
  readonly value: T;
}

/** How a stage that threw failed: the user's input, a cancel, or anything else. */
export type FailureKind = 'configuration' | 'interrupted' | 'failed';

export type Ran<T> =
  | { readonly ok: true; readonly result: StageResult; readonly value: T }
  | { readonly ok: false; readonly kind: FailureKind; readonly error: unknown };

/**
 * The pipeline's stages as records, and its one failure channel: whatever a stage's body
 * throws becomes a failed stage with its reason, never an escape past the report.
 */
export class StageLog {
  readonly records: StageRecord[] = [];
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #started: number;

  constructor(clock: Clock, logger: Logger) {
    this.#clock = clock;
    this.#logger = logger;
    this.#started = clock.now();
  }

  async run<T>(name: StageName, body: () => Promise<StageEnd<T>>): Promise<Ran<T>> {
    const startMs = this.#clock.now() - this.#started;
    this.#logger.info(`── ${name} ──`);
    try {
      const end = await body();
      this.#push(name, end.result, startMs, end.detail);
      return { ok: true, result: end.result, value: end.value };
    } catch (error) {
      const kind = kindOf(error);
      this.#push(name, 'failed', startMs, describeError(error));
      return { ok: false, kind, error };
    }
  }

  /** Now, as a stage's start (for a stage whose failure is recorded with `failed`). */
  mark(): number {
    return this.#clock.now() - this.#started;
  }

  /** A stage that failed outside `run` (the lock, around several stages): recorded from `startMs`. */
  failed(name: StageName, error: unknown, startMs: number): Extract<Ran<never>, { ok: false }> {
    this.#push(name, 'failed', startMs, describeError(error));
    return { ok: false, kind: kindOf(error), error };
  }

  /** A stage that was not run, as it would be (a dry run's plan). */
  planned(name: StageName, detail: string): void {
    this.#push(name, 'dry-run', this.#clock.now() - this.#started, detail);
  }

  #push(name: StageName, result: StageResult, startMs: number, detail: string): void {
    const durationMs = Math.round(this.#clock.now() - this.#started - startMs);
    this.records.push({ name, result, startMs: Math.round(startMs), durationMs, detail });
  }
}

export function kindOf(error: unknown): FailureKind {
  if (error instanceof ConfigurationError) return 'configuration';
  if (error instanceof InterruptedError) return 'interrupted';
  return 'failed';
}
