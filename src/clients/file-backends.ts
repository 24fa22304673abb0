import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { FileAuditLog } from './file-audit-log.ts';
import { FileDeployLock } from './file-deploy-lock.ts';
import { FileStateStore } from './file-state-store.ts';

/** State, lock and audit log in one directory on the runner (the `state-dir` input). */
export function createFileBackends(stateDir: string, clock: Clock, host: string) {
  ensureStateDir(stateDir);
  return {
    store: new FileStateStore(stateDir),
    lock: new FileDeployLock(stateDir, { clock, host }),
    audit: new FileAuditLog(path.join(stateDir, 'audit.jsonl')),
  };
}

/** The state directory, made if missing; one that cannot be made is the input's problem, named. */
export function ensureStateDir(stateDir: string): void {
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ConfigurationError(
      'state-dir',
      `"${stateDir}" cannot be made (${code ?? message}): choose a directory this user may create and write`,
    );
  }
}
