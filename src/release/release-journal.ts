import { withoutOutput } from '../deploy/driver.ts';
import { describeError } from '../errors.ts';
import { sameEnvironment } from '../model/environment-name.ts';
import type { Clock, EnvironmentState, ReleasePhase, ReleaseRecord, ReleaseSession } from '../ports.ts';
import { mayBeLive, type Production } from './production-after.ts';
import {
  atPhase,
  beginRelease,
  endRelease,
  type HostChange,
  markBad,
  markLive,
  markStopped,
  recordHost,
  type SlotSeen,
  settleAbandoned,
} from './release-state.ts';

/**
 * The record of one release as it happens, written before each step acts: begun (before
 * production can change), each blue-green phase (placing, verifying, switching), live, and
 * finished however it ended, with where it left production. Only the first write may stop the
 * release (nothing changed yet); a later failed write is kept and reported with the outcome,
 * because production has moved on whatever the disk says.
 */
export class ReleaseJournal {
  readonly #store: ReleaseSession;
  readonly #clock: Clock;
  #state: EnvironmentState;
  #unrecorded: string | undefined;
  /** What the record said users reach before this release: restored if it never reached them. */
  #before: Pick<EnvironmentState, 'current' | 'previous'> = {};
  /** Writes in the order made: hosts of a batch are recorded in parallel. */
  #writing: Promise<void> = Promise.resolve();
  /** A version to mark bad once users may leave it (see begin). */
  #pendingBad: { version: string; reason: string } | undefined;

  private constructor(store: ReleaseSession, clock: Clock, state: EnvironmentState) {
    this.#store = store;
    this.#clock = clock;
    this.#state = state;
  }

  /**
   * Reads the record (under the lock) and settles a release a killed deploy left behind; one
   * killed during a switch is settled by what `observe` sees the proxy serve; one killed
   * mid-canary has its traffic put back on the stable slot first (`recover`), then is settled.
   */
  static async open(
    store: ReleaseSession,
    clock: Clock,
    environment: string,
    look: {
      observe?: () => Promise<SlotSeen>;
      recover?: (state: EnvironmentState) => Promise<SlotSeen>;
    } = {},
  ): Promise<ReleaseJournal> {
    const read = await store.read();
    if (!sameEnvironment(read.environment, environment))
      throw new Error(`the session holds ${read.environment}, not ${environment}`);
    const journal = new ReleaseJournal(store, clock, read);
    const last = read.releases.at(-1);
    const abandoned = last?.status === 'deploying';
    const seen =
      abandoned && last.phase === 'canary' && look.recover
        ? await look.recover(read).catch((): SlotSeen => 'unknown')
        : abandoned && last.phase === 'switching' && look.observe
          ? await look.observe().catch((): SlotSeen => 'unknown')
          : undefined;
    const settled = settleAbandoned(read, journal.#now(), undefined, seen);
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

  /** The phase the release stands at now (absent: begun, nothing made live yet). */
  get phase(): ReleasePhase | undefined {
    return this.#state.releases.at(-1)?.phase;
  }

  /**
   * Records the release as begun; if even that cannot be written, nothing may change. `bad` (a
   * rollback's from-version) is marked at once, or, with `deferBad`, only once users may leave it
   * (the switch): a rollback refused or rejected before its switch marks nothing.
   */
  async begin(
    record: ReleaseRecord,
    bad?: { version: string; reason: string },
    options: { deferBad?: boolean } = {},
  ): Promise<void> {
    this.#pendingBad = options.deferBad ? bad : undefined;
    const marked = bad && !options.deferBad ? markBad(this.#state, bad.version, bad.reason) : this.#state;
    const next = beginRelease(marked, record);
    try {
      await this.#store.write(next);
    } catch (error) {
      throw new Error(
        `could not record the start of the release, so nothing was changed: ${describeError(error)}`,
      );
    }
    this.#before = {
      ...(this.#state.current ? { current: this.#state.current } : {}),
      ...(this.#state.previous ? { previous: this.#state.previous } : {}),
    };
    this.#state = next;
  }

  /** The release moves to `phase` (in `slot`, when placing); `live` makes its version current. */
  async at(phase: ReleasePhase, slot?: string): Promise<void> {
    const next = atPhase(
      phase === 'switching' || phase === 'live' ? this.#markPending() : this.#state,
      phase,
      slot,
    );
    await this.#write(phase === 'live' ? markLive(next, this.#now()) : next);
  }

  /**
   * The release ended: `good` verified (current), `bad` proven broken, `failed` or `interrupted`.
   * `production` says where it left users: reaching its version (current, not verified); never
   * reaching it (the record goes back to what they reached before); or not known (`maybe-changed`
   * in place, `unknown` at a switch that could not be read back): left unsettled, so the next
   * release looks before it trusts.
   */
  async finish(
    status: 'good' | 'failed' | 'bad' | 'interrupted' | 'paused' | 'aborted',
    details: {
      readonly attempts?: number;
      readonly reason?: string;
      readonly production: Production;
      /** Blue-green: the release's slot was stopped (stop-command) as it ended. */
      readonly stoppedSlot?: string;
    },
  ): Promise<void> {
    // A version users never left is not marked bad by this release (see begin).
    const never = status !== 'good' && !mayBeLive(details.production);
    const ended = endRelease(
      never ? this.#state : this.#markPending(),
      {
        status,
        finishedAt: this.#now(),
        production: details.production,
        ...(details.attempts !== undefined ? { attempts: details.attempts } : {}),
        ...(details.reason ? { reason: withoutOutput(details.reason) } : {}),
      },
      this.#before,
    );
    await this.#write(details.stoppedSlot ? markStopped(ended, details.stoppedSlot) : ended);
  }

  /** Canary: the release is at `step` (0-based), the canary with `weight` % of the traffic (or of the hosts). */
  async canary(step: number, weight: number): Promise<void> {
    const next = atPhase(this.#state, 'canary');
    const last = next.releases.at(-1)!;
    await this.#write({
      ...next,
      releases: [...next.releases.slice(0, -1), { ...last, canary: { step, weight } }],
    });
  }

  /** A host of a rolling release changed: its version, verified, in or out of rotation. */
  async host(name: string, change: HostChange): Promise<void> {
    await this.#write(recordHost(this.#state, name, change, this.#now()));
  }

  #markPending(): EnvironmentState {
    const bad = this.#pendingBad;
    this.#pendingBad = undefined;
    return bad ? markBad(this.#state, bad.version, bad.reason) : this.#state;
  }

  async #write(next: EnvironmentState): Promise<void> {
    this.#state = next;
    // Each write waits for the one before: the file never goes back to an older state.
    this.#writing = this.#writing.then(async () => {
      try {
        await this.#store.write(next);
        this.#unrecorded = undefined;
      } catch (error) {
        this.#unrecorded = describeError(error);
      }
    });
    await this.#writing;
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}
