import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isSameProcessAlive, type ProcessIdentity } from '../clients/process-alive.ts';

/** The name every session's directory starts with, under the runner's temp dir. */
export const SESSION_PREFIX = 'deploy-actions-ssh-';

/**
 * Removes the SSH directories (a deploy key among them) that sessions of processes now gone left
 * in `tempDir`: a release killed with kill -9 never ran its close. Only this user's, only ones
 * whose owner is gone (or, unreadable, older than a minute); returns how many went.
 */
export function sweepAbandonedSshDirs(tempDir: string, now = Date.now()): number {
  let swept = 0;
  let names: string[];
  try {
    names = readdirSync(tempDir).filter((name) => name.startsWith(SESSION_PREFIX));
  } catch {
    return 0;
  }
  for (const name of names) {
    const dir = path.join(tempDir, name);
    try {
      const stat = lstatSync(dir);
      if (!stat.isDirectory() || stat.uid !== process.getuid?.()) continue;
      const owner = readOwner(dir);
      const gone = owner ? !isSameProcessAlive(owner) : now - stat.mtimeMs > 60_000;
      if (!gone) continue;
      rmSync(dir, { recursive: true, force: true });
      swept++;
    } catch {
      // Gone meanwhile, or not ours to read: left alone.
    }
  }
  return swept;
}

function readOwner(dir: string): ProcessIdentity | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'owner'), 'utf8')) as ProcessIdentity;
  } catch {
    return undefined;
  }
}
