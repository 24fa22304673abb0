import { readFileSync } from 'node:fs';

/**
 * Whether a process on this machine still runs. A zombie (dead, not yet reaped) does not: an
 * init that never reaps must not keep a dead deploy's lock alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/**
 * What tells one process from a later one that got its pid: when it started (clock ticks since
 * boot, /proc/<pid>/stat field 22) on which boot (the kernel's boot id). A pid alone is not
 * enough: after a restart it may belong to any other long-lived process.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start?: string;
  readonly boot?: string;
}

export function identityOf(pid: number): ProcessIdentity {
  const start = startOf(pid);
  const boot = bootId();
  return { pid, ...(start ? { start } : {}), ...(boot ? { boot } : {}) };
}

/**
 * Whether the process `identity` names still runs: its pid is alive, on the same boot, started
 * when it did. An identity without a start (an older record) is judged by its pid alone.
 */
export function isSameProcessAlive(identity: ProcessIdentity): boolean {
  if (identity.boot && bootId() && identity.boot !== bootId()) return false;
  if (!isProcessAlive(identity.pid)) return false;
  const start = identity.start && startOf(identity.pid);
  return !start || start === identity.start;
}

/** The command name of a process on this machine, for messages (`node`, `sleep`). */
export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let boot: string | undefined | null = null;
function bootId(): string | undefined {
  if (boot === null) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = undefined;
    }
  }
  return boot;
}
