import path from 'node:path';
import type { Clock } from '../ports.ts';
import { FileAuditLog } from './file-audit-log.ts';
import { FileDeployLock } from './file-deploy-lock.ts';
import { FileStateStore } from './file-state-store.ts';

/** State, lock and audit log in one directory on the runner (the `state-dir` input). */
export function createFileBackends(stateDir: string, clock: Clock, host: string) {
  return {
    store: new FileStateStore(stateDir),
    lock: new FileDeployLock(stateDir, { clock, host }),
    audit: new FileAuditLog(path.join(stateDir, 'audit.jsonl')),
  };
}
