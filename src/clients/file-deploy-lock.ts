import { randomUUID } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { formatDuration } from '../durations.ts';
import { environmentKey } from '../model/environment-name.ts';
import type { Clock, LockOwner } from '../ports.ts';
import { DirectoryWake } from './directory-wake.ts';
import { commandOf, identityOf, isProcessAlive, isSameProcessAlive } from './process-alive.ts';
import { groupAlive, membersOf } from './process-group.ts';
import { waitForTurn } from './wait-for-turn.ts';

export interface HeldLock {
  /** Identifies this holder (kept in GITHUB_STATE so a post step can release a lock its main step left). */
  readonly token: string;
  release(): Promise<void>;
  /**
   * Ties a process group the holder started to the lock: while it lives the lock is not free,
   * even if the holder itself was killed (its driver's orphans would otherwise run beside the
   * next deploy's).
   */
  guard?(processGroup: number): void;
}

/**
 * One deploy at a time per environment. Waiters are served in arrival order and none is
 * dropped; a holder that died is detected and its lock broken.
 */
export interface DeployLock {
  acquire(
    environment: string,
    owner: Omit<LockOwner, 'since'>,
    options: { timeoutMs: number; signal?: AbortSignal; onWait?: (holder: LockOwner) => void },
  ): Promise<HeldLock>;
  /**
   * Releases the lock `token` holds, if it still does (a post step after a killed main step),
   * running `beforeRelease` while it is still held.
   */
  releaseToken(environment: string, token: string, beforeRelease?: () => Promise<void>): Promise<boolean>;
  /** Who holds the environment's lock now, if anyone (for status and messages). */
  holder(environment: string): Promise<LockOwner | undefined>;
}

export { LockTimeoutError } from './wait-for-turn.ts';

export interface FileDeployLockOptions {
  readonly clock: Clock;
  /** This machine's name: a ticket from another host is judged by its lease, not its pid. */
  readonly host: string;
  /** A ticket not refreshed for this long is abandoned (holders refresh it every third of it). Default 2 min. */
  readonly leaseMs?: number;
  /**
   * How often a waiter looks again when no change notice wakes it first. Default 5 s while the
   * kernel reports changes (a look then finds only a holder killed before it could release, and
   * costs a waiting deploy ~2 ms of CPU), else 100 ms.
   */
  readonly pollMs?: number;
  /** Told when a dead holder's ticket is removed. */
  readonly onBroken?: (owner: LockOwner, why: string) => void;
}

/**
 * What a ticket says of its holder: who (with its process's start and boot, so a pid reused by
 * another process never holds the lock), and the process groups its commands run in, each with
 * its leader's start.
 */
type TicketOwner = LockOwner & {
  readonly token: string;
  readonly start?: string;
  readonly boot?: string;
  readonly groups?: readonly number[];
  readonly groupStarts?: Readonly<Record<string, string>>;
};

interface Ticket {
  readonly file: string;
  readonly sequence: number;
  readonly owner?: TicketOwner;
  readonly touchedAt: number;
}

/** A ticket with no readable owner older than this was left by a writer that died mid-write. */
const UNREADABLE_GRACE_MS = 2000;

const TICKET = /^(\d{12})\.ticket$/;

/**
 * A fair lock per environment in a directory (`<dir>/<environment>.lock/`), for deploys on one
 * machine or on machines sharing that directory. Each arrival takes the next numbered ticket
 * (created with O_EXCL, so two arrivals never share a number); the lowest live ticket holds
 * the lock and the others wait their turn, so every waiter is served, in arrival order.
 * A ticket whose process is gone (same host) or whose lease ran out (any host) is removed.
 */
export class FileDeployLock implements DeployLock {
  readonly #dir: string;
  readonly #options: FileDeployLockOptions;

  constructor(dir: string, options: FileDeployLockOptions) {
    this.#dir = dir;
    this.#options = options;
  }

  async acquire(
    environment: string,
    owner: Omit<LockOwner, 'since'>,
    options: { timeoutMs: number; signal?: AbortSignal; onWait?: (holder: LockOwner) => void },
  ): Promise<HeldLock> {
    const { clock } = this.#options;
    const dir = this.#lockDir(environment);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new Error(`cannot take the deploy lock in ${dir}: ${(error as Error).message}`);
    }
    const token = randomUUID();
    const { start, boot } = owner.host === this.#options.host ? identityOf(owner.pid) : {};
    const owned: TicketOwner = {
      ...owner,
      since: new Date(clock.now()).toISOString(),
      token,
      ...(start ? { start } : {}),
      ...(boot ? { boot } : {}),
    };
    const mine = this.#takeTicket(dir, owned);
    const lease = this.#leaseMs();
    const heartbeat = setInterval(() => touch(mine), Math.max(10, lease / 3));
    heartbeat.unref();
    // Woken the moment a ticket goes (a release hands over in milliseconds), polling as the net.
    const changes = new DirectoryWake(dir);
    try {
      await waitForTurn<Ticket>(
        {
          ahead: async () => this.#liveTickets(dir).filter((ticket) => ticket.sequence < sequenceOf(mine)),
          owner: (ticket) => ticket.owner ?? unknownOwner(ticket),
          key: (ticket) => ticket.file,
          describeHolder: (ticket, more) =>
            `${this.#whatHolds(ticket.owner ?? unknownOwner(ticket), lease)} (${more} more waiting ahead of this deploy).`,
          nextPollMs: () => this.#options.pollMs ?? (changes.watching ? 5000 : 100),
          pause: (ms, signal) => changes.next(clock, ms, signal),
        },
        { environment, clock, ...options },
      );
    } catch (error) {
      clearInterval(heartbeat);
      remove(mine);
      throw error;
    } finally {
      changes.close();
    }
    let groups: number[] = [];
    return {
      token,
      release: async () => {
        clearInterval(heartbeat);
        remove(mine);
      },
      // Synchronous, so the ticket names the group before the command can outlive this process.
      guard: (group) => {
        groups = [...groups.filter(groupAlive), group];
        const starts = Object.fromEntries(
          groups.flatMap((g) => {
            const leader = identityOf(g).start;
            return leader ? [[String(g), leader]] : [];
          }),
        );
        try {
          rewrite(mine, { ...owned, groups, groupStarts: starts });
        } catch {
          // The disk refused: the lock is still held; only the kill -9 protection is lost.
        }
      },
    };
  }

  async releaseToken(
    environment: string,
    token: string,
    beforeRelease?: () => Promise<void>,
  ): Promise<boolean> {
    const dir = this.#lockDir(environment);
    const ticket = this.#readTickets(dir).find((t) => t.owner?.token === token);
    if (!ticket) return false;
    // The holder was killed: what it started is stopped before anyone else may deploy.
    await stopGroups(ticket.owner?.groups ?? [], this.#options.clock);
    try {
      await beforeRelease?.();
    } finally {
      remove(ticket.file);
    }
    return true;
  }

  /** Who holds the environment's lock now, if anyone (for `status` and messages). */
  async holder(environment: string): Promise<LockOwner | undefined> {
    const [first] = this.#liveTickets(this.#lockDir(environment));
    return first ? (first.owner ?? unknownOwner(first)) : undefined;
  }

  /** One lock whatever the name's case: GitHub's environments ignore it (see environmentKey). */
  #lockDir(environment: string): string {
    return path.join(this.#dir, `${environmentKey(environment)}.lock`);
  }

  /**
   * What holds the environment, as a person can act on it: the deploy, and when its process is
   * gone while commands it started still run (a kill -9 during its driver), those commands.
   */
  #whatHolds(owner: LockOwner & Pick<TicketOwner, 'groups'>, lease: number): string {
    const deploy = `${describeOwner(owner)}${this.#running(owner)}`;
    const groups = owner.host === this.#options.host ? (owner.groups ?? []).filter(groupAlive) : [];
    if (groups.length === 0 || isSameProcessAlive(owner))
      return `${deploy}. If that deploy is gone, its lock is broken automatically once its process ends or its lease (${formatDuration(lease)}) runs out`;
    const members = groups.flatMap(membersOf);
    const running = members[0] ? `, running ${members[0].command}` : '';
    return `commands of a deploy whose process is gone (${describeOwner(owner)}): process group ${groups.join(', ')} still runs (${members.length} process${members.length === 1 ? '' : 'es'}${running}). The environment stays held while they run, so that no second driver runs beside them; it is released when they end (stop them with \`kill -TERM -- -${groups[0]}\` if they must not finish)`;
  }

  /** On this machine: what the holder's pid runs now, so a person can see what holds the lock. */
  #running(owner: LockOwner): string {
    if (owner.host !== this.#options.host) return '';
    const command = commandOf(owner.pid);
    return command ? ` (pid ${owner.pid} runs ${command})` : '';
  }

  #leaseMs(): number {
    return this.#options.leaseMs ?? 120_000;
  }

  /**
   * Takes the next free number with the whole ticket in place at once (written to a temp file,
   * then hard-linked under its number, which fails if the number is taken): a full disk leaves
   * no empty ticket behind, only an error.
   */
  #takeTicket(dir: string, owner: TicketOwner): string {
    const temp = path.join(dir, `.${process.pid}.${randomUUID()}.tmp`);
    try {
      writeFileSync(temp, JSON.stringify(owner), { flag: 'wx' });
    } catch (error) {
      remove(temp);
      throw new Error(`cannot take the deploy lock in ${dir}: ${(error as Error).message}`);
    }
    try {
      let sequence = Math.max(0, ...this.#readTickets(dir).map((t) => t.sequence)) + 1;
      for (;;) {
        const file = path.join(dir, `${String(sequence).padStart(12, '0')}.ticket`);
        try {
          linkSync(temp, file);
          return file;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          sequence++;
        }
      }
    } finally {
      remove(temp);
    }
  }

  #readTickets(dir: string): Ticket[] {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const tickets: Ticket[] = [];
    for (const name of names) {
      const match = TICKET.exec(name);
      if (!match) continue;
      const file = path.join(dir, name);
      try {
        const touchedAt = statSync(file).mtimeMs;
        let owner: Ticket['owner'];
        try {
          owner = JSON.parse(readFileSync(file, 'utf8'));
        } catch {
          owner = undefined; // being written, or garbage: judged by its lease alone
        }
        tickets.push({ file, sequence: Number(match[1]), touchedAt, ...(owner ? { owner } : {}) });
      } catch {
        // released while we looked
      }
    }
    return tickets.sort((a, b) => a.sequence - b.sequence);
  }

  /** The tickets whose holders are alive, oldest first; dead ones are removed on the way. */
  #liveTickets(dir: string): Ticket[] {
    const now = Date.now();
    return this.#readTickets(dir).filter((ticket) => {
      const why = this.#whyAbandoned(ticket, now);
      if (!why) return true;
      remove(ticket.file);
      this.#options.onBroken?.(ticket.owner ?? unknownOwner(ticket), why);
      return false;
    });
  }

  #whyAbandoned(ticket: Ticket, now: number): string | undefined {
    const owner = ticket.owner;
    if (!owner)
      return now - ticket.touchedAt > UNREADABLE_GRACE_MS
        ? 'its ticket is empty or unreadable (its writer died mid-write)'
        : undefined;
    if (owner.host === this.#options.host) {
      // On this machine the processes say it all: the holder, or the commands it started, still
      // running (a holder killed with kill -9 leaves its driver's process group behind).
      const groups = (owner.groups ?? []).filter((group) =>
        isOwnGroupAlive(group, owner.groupStarts?.[group]),
      );
      if (isSameProcessAlive(owner) || groups.length > 0) return undefined;
      return isProcessAlive(owner.pid)
        ? `its process ${owner.pid} on ${owner.host} is gone (that pid is now another process${commandName(owner.pid)})`
        : `its process ${owner.pid} on ${owner.host} is gone`;
    }
    if (now - ticket.touchedAt > this.#leaseMs()) {
      return `its lease ran out (not refreshed for ${formatDuration(now - ticket.touchedAt)})`;
    }
    return undefined;
  }
}

function sequenceOf(file: string): number {
  return Number(TICKET.exec(path.basename(file))?.[1]);
}

function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // released meanwhile
  }
}

/** Replaces a ticket's content at once (temp file renamed over it). */
function rewrite(file: string, owner: TicketOwner): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(owner));
  renameSync(temp, file);
}

/**
 * Whether a group a holder started still runs: some process of it is alive, and its leader, if
 * still there, is the one that was recorded (a pid is never reused while its group lives on,
 * but a dead group's id can come back as a new leader's).
 */
function isOwnGroupAlive(group: number, leaderStart: string | undefined): boolean {
  if (!groupAlive(group)) return false;
  return !leaderStart || !isProcessAlive(group) || isSameProcessAlive({ pid: group, start: leaderStart });
}

function commandName(pid: number): string {
  const command = commandOf(pid);
  return command ? `: ${command}` : '';
}

/** Stops process groups a killed holder left: SIGTERM, then SIGKILL after 2 s for what remains. */
async function stopGroups(groups: readonly number[], clock: Clock): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    for (const group of groups.filter(groupAlive)) {
      try {
        process.kill(-group, name);
      } catch {
        // gone meanwhile
      }
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < 2000 && groups.some(groupAlive); waited += 50) await clock.sleep(50);
  signal('SIGKILL');
}

function remove(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function unknownOwner(ticket: Ticket): LockOwner {
  return { pid: 0, host: 'unknown', since: new Date(ticket.touchedAt).toISOString() };
}

export function describeOwner(owner: LockOwner): string {
  const who = [owner.actor, owner.runUrl].filter(Boolean).join(', ');
  return `pid ${owner.pid} on ${owner.host}${who ? ` (${who})` : ''} since ${owner.since}`;
}
