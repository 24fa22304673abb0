import { readFileSync } from 'node:fs';
import { processes } from './process-alive.ts';

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

/** The processes of group `group`: what a command left behind in it. */
export function membersOf(group: number): Leftover[] {
  const members: Leftover[] = [];
  for (const { pid, fields } of processes()) {
    const [state, , pgrp] = fields;
    if (Number(pgrp) !== group || state === 'Z') continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      members.push({ pid, command: command.length > 80 ? `${command.slice(0, 80)}…` : command });
    } catch {
      // gone meanwhile
    }
  }
  return members;
}
