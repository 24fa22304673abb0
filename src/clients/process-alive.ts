import { readdirSync, readFileSync } from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command's name (state, ppid, pgrp, …; the start time
 * is field 19 here, 22 in proc(5)), or undefined when the process is gone (Linux).
 */
export function statOf(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Every process on this machine, with its stat fields (see statOf). */
export function* processes(): Generator<{ readonly pid: number; readonly fields: readonly string[] }> {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statOf(entry);
    if (fields) yield { pid: Number(entry), fields };
  }
}

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
  const fields = statOf(pid);
  return fields === undefined || fields[0] !== 'Z';
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
  return statOf(pid)?.[19];
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
