import path from 'node:path';
import { FileAuditLog } from './clients/file-audit-log.ts';
import { FileReleaseBackend } from './clients/file-release-backend.ts';
import { ensureStateDir } from './clients/state-dir.ts';
import { GitHubReleaseBackend } from './github/github-release-backend.ts';
import type { TargetSettings } from './model/release.ts';
import type { AuditLog, Clock, GitHubApi, Logger, ReleaseBackend, RunContext } from './ports.ts';

/**
 * Where releases are queued and recorded, as `backend` says (files in state-dir on this runner,
 * or GitHub Deployments), and the audit log, which stays in state-dir either way. `api` is
 * needed (and only made by the host) for backend github.
 */
export function createBackend(
  settings: TargetSettings,
  deps: {
    stateDir: string;
    clock: Clock;
    logger: Logger;
    run: RunContext;
    /** Text sent to GitHub (statuses) passes through this (the record boundary). */
    redact: (text: string) => string;
    api?: GitHubApi;
  },
): { readonly backend: ReleaseBackend; readonly audit: AuditLog } {
  const audit = auditLogIn(deps.stateDir);
  const { backend } = settings;
  if (backend.kind === 'file')
    return { backend: new FileReleaseBackend(deps.stateDir, deps.clock, deps.run.host), audit };
  if (!deps.api) throw new Error('backend github needs a GitHub client');
  const github = new GitHubReleaseBackend({
    api: deps.api,
    repository: backend.github.repository,
    logger: deps.logger,
    clock: deps.clock,
    run: deps.run,
    ref: backend.ref,
    transient: backend.transient,
    pollMs: backend.pollMs,
    redact: deps.redact,
    ...(backend.environmentUrl ? { environmentUrl: backend.environmentUrl } : {}),
    ...(backend.production !== undefined ? { production: backend.production } : {}),
  });
  return { backend: github, audit };
}

/** The audit log, in state-dir whatever the backend (the directory made, owner only, if new). */
export function auditLogIn(stateDir: string): AuditLog {
  ensureStateDir(stateDir);
  return new FileAuditLog(path.join(stateDir, 'audit.jsonl'));
}
