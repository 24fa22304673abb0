import { readdirSync, readFileSync } from 'node:fs';

/** A process still in a command's group after the command exited. */
export interface Leftover {
  readonly pid: number;
  /** Its command line, shortened (for the log only: never recorded). */
  readonly command: string;
}

/** Whether any process of group `group` still runs. */
export function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The processes of group `group` (Linux /proc): what a command left behind in it. */
export function membersOf(group: number): Leftover[] {
  const members: Leftover[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== group || state === 'Z') continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      members.push({
        pid: Number(entry),
        command: command.length > 80 ? `${command.slice(0, 80)}…` : command,
      });
    } catch {
      // gone meanwhile
    }
  }
  return members;
}
