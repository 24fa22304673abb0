import { withoutOutput } from '../deploy/driver.ts';
import { describeError } from '../errors.ts';
import type { Clock, EnvironmentState, ReleaseRecord, ReleaseSession } from '../ports.ts';
import {
  beginRelease,
  finishRelease,
  markBad,
  markLive,
  placeInSlot,
  settleAbandoned,
} from './release-state.ts';

/**
 * The record of one release as it happens, written at every moment that matters: begun (before
 * production can change), live (the strategy switched), finished, or interrupted. Only the
 * first write may stop the release (nothing changed yet); a later failed write is kept and
 * reported with the outcome, because production has moved on whatever the disk says.
 */
export class ReleaseJournal {
  readonly #store: ReleaseSession;
  readonly #clock: Clock;
  #state: EnvironmentState;
  #unrecorded: string | undefined;

  private constructor(store: ReleaseSession, clock: Clock, state: EnvironmentState) {
    this.#store = store;
    this.#clock = clock;
    this.#state = state;
  }

  /** Reads the record (under the lock) and settles a release a killed deploy left behind. */
  static async open(store: ReleaseSession, clock: Clock, environment: string): Promise<ReleaseJournal> {
    const read = await store.read();
    if (read.environment !== environment)
      throw new Error(`the session holds ${read.environment}, not ${environment}`);
    const journal = new ReleaseJournal(store, clock, read);
    const settled = settleAbandoned(read, journal.#now());
    if (settled !== read) {
      await store.write(settled);
      journal.#state = settled;
    }
    return journal;
  }

  get state(): EnvironmentState {
    return this.#state;
  }

  /** The write that failed, if any: the record may be behind what production is. */
  get unrecorded(): string | undefined {
    return this.#unrecorded;
  }

  /** Records the release as begun; if even that cannot be written, nothing may change. */
  async begin(record: ReleaseRecord, bad?: { version: string; reason: string }): Promise<void> {
    const marked = bad ? markBad(this.#state, bad.version, bad.reason) : this.#state;
    const next = beginRelease(marked, record);
    try {
      await this.#store.write(next);
    } catch (error) {
      throw new Error(
        `could not record the start of the release, so nothing was changed: ${describeError(error)}`,
      );
    }
    this.#state = next;
  }

  async live(): Promise<void> {
    await this.#write(markLive(this.#state, this.#now()));
  }

  /** Blue-green: the release's version is being made to run in `slot` (not yet reached by users). */
  async inSlot(slot: string): Promise<void> {
    await this.#write(placeInSlot(this.#state, slot));
  }

  /** `bad`: proven broken (a verification before traffic), so it is not deployed again unless forced. */
  async finish(
    status: 'good' | 'failed' | 'bad',
    details: { readonly attempts?: number; readonly reason?: string; readonly neverLive?: boolean } = {},
  ): Promise<void> {
    await this.#write(
      finishRelease(this.#state, {
        status,
        finishedAt: this.#now(),
        ...(details.attempts !== undefined ? { attempts: details.attempts } : {}),
        ...(details.reason ? { reason: withoutOutput(details.reason) } : {}),
        ...(details.neverLive ? { neverLive: true } : {}),
      }),
    );
  }

  /** Cut short: the version may be live (the strategy had begun), and it was not verified. */
  async interrupted(reason: string, live: boolean): Promise<void> {
    const finished = finishRelease(this.#state, {
      status: 'interrupted',
      finishedAt: this.#now(),
      reason,
      ...(live ? {} : { neverLive: true }),
    });
    await this.#write(live ? markLive(finished, this.#now()) : finished);
  }

  async #write(next: EnvironmentState): Promise<void> {
    this.#state = next;
    try {
      await this.#store.write(next);
      this.#unrecorded = undefined;
    } catch (error) {
      this.#unrecorded = describeError(error);
    }
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}
