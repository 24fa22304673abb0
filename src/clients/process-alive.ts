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
