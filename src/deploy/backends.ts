import path from 'node:path';
import { FileAuditLog } from '../clients/file-audit-log.ts';
import { createFileBackends } from '../clients/file-backends.ts';
import { GitHubDeployments } from '../github/github-deployments.ts';
import type { TargetSettings } from '../model/release.ts';
import type { AuditLog, Clock, DeployLock, GitHubApi, Logger, RunContext, StateStore } from '../ports.ts';

export interface Backends {
  readonly store: StateStore;
  readonly lock: DeployLock;
  readonly audit: AuditLog;
}

/**
 * State, lock and audit log as `backend` says: all three in state-dir on this runner (file), or
 * state and lock in GitHub Deployments (github) with the audit log still kept on the runner.
 * `api` is needed (and only made by the adapter) for backend github.
 */
export function createBackends(
  settings: TargetSettings,
  plan: { readonly kind: 'deploy' | 'rollback'; readonly version?: string },
  deps: {
    stateDir: string;
    clock: Clock;
    logger: Logger;
    run: RunContext;
    /** Text sent to GitHub (statuses) passes through this (the record boundary). */
    redact: (text: string) => string;
    api?: GitHubApi;
  },
): Backends {
  const { backend } = settings;
  if (backend.kind === 'file') return createFileBackends(deps.stateDir, deps.clock, deps.run.host);
  if (!deps.api) throw new Error('backend github needs a GitHub client');
  const deployments = new GitHubDeployments({
    api: deps.api,
    repository: backend.github.repository,
    logger: deps.logger,
    clock: deps.clock,
    run: deps.run,
    plan: { ref: backend.ref, ...plan },
    transient: backend.transient,
    pollMs: backend.pollMs,
    redact: deps.redact,
    ...(backend.environmentUrl ? { environmentUrl: backend.environmentUrl } : {}),
    ...(backend.production !== undefined ? { production: backend.production } : {}),
  });
  return {
    store: deployments.store,
    lock: deployments.lock,
    audit: new FileAuditLog(path.join(deps.stateDir, 'audit.jsonl')),
  };
}
