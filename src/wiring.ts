import { FileReleaseBackend } from './clients/file-release-backend.ts';
import { FileStateStore } from './clients/file-state-store.ts';
import { GitHubIssueTracker } from './github/github-issue-tracker.ts';
import { GitHubReleaseBackend } from './github/github-release-backend.ts';
import type { Host } from './host.ts';
import { FileIssueTracker } from './incident/file-issue-tracker.ts';
import type { TargetSettings } from './model/release.ts';
import type { PipelineDeps } from './pipeline.ts';
import type { AuditLog, EnvironmentState, IssueTracker, ReleaseBackend } from './ports.ts';
import type { PreflightDeps } from './preflight/check-outcome.ts';
import { RecordBoundary } from './record-boundary.ts';
import { createRegistryClient, type RegistryClient } from './registry/registry-client.ts';
import type { ReleaseDeps } from './release/release-deps.ts';
import { auditLogIn, createBackend } from './release-backends.ts';
import type { PipelineSettings } from './settings/pipeline.ts';
import type { RecordSource } from './settings/registry.ts';
import type { RegistryFor } from './steps/pin-image.ts';

/**
 * The one wiring of the core, for the action runtime and the CLI alike: from a Host, each step's
 * dependencies, with every store, log and tracker behind the record boundary.
 */

/** Deploy's and rollback's: state, lock and audit log where `backend` says. */
export async function releaseDeps(host: Host, settings: TargetSettings): Promise<ReleaseDeps> {
  // The deploy key is a secret however it was passed: masked, each line, from here on.
  if (settings.hosts?.privateKey) host.redactor.add(settings.hosts.privateKey);
  if (settings.hosts?.keyPassphrase) host.redactor.add(settings.hosts.keyPassphrase);
  if (settings.registry) host.redactor.add(settings.registry.password);
  // container-env's values are secrets however they were passed.
  if ('env' in settings.driver)
    for (const value of Object.values(settings.driver.env)) host.redactor.add(value);
  const boundary = new RecordBoundary(host.redactor);
  const { backend } = settings;
  const api = backend.kind === 'github' ? await host.github(backend.github.token) : undefined;
  const { backend: releases, audit } = createBackend(settings, {
    stateDir: host.resolveDir(settings.stateDir),
    clock: host.clock,
    logger: host.logger,
    run: host.run,
    redact: (text) => boundary.text(text),
    ...(api ? { api } : {}),
  });
  return {
    ...host,
    backend: boundary.backend(releases),
    audit: boundary.audit(audit),
    ...(host.onLocked ? { onLocked: host.onLocked } : {}),
  };
}

/** The whole pipeline's: a release's, plus preflight's and the incident tracker. */
export async function pipelineDeps(host: Host, settings: PipelineSettings): Promise<PipelineDeps> {
  const { deploy } = settings;
  const release = await releaseDeps(host, deploy);
  const tracker = await incidentTracker(host, settings.incident);
  return {
    ...release,
    writeFile: host.writeFile,
    preflight: { readEnv: host.readEnv, mask: (value) => host.redactor.add(value) },
    ...(tracker ? { tracker } : {}),
  };
}

/**
 * Where incidents go, as the incident input says: GitHub issues, Markdown files in a directory,
 * or nowhere. The GitHub client is made only for incident: github.
 */
export async function incidentTracker(
  host: Host,
  incident: PipelineSettings['incident'] & { readonly extraLabels?: readonly string[] },
): Promise<IssueTracker | undefined> {
  const boundary = new RecordBoundary(host.redactor);
  if (incident.kind === 'none') return undefined;
  if (incident.kind === 'file') return boundary.tracker(new FileIssueTracker(host.resolveDir(incident.dir)));
  const { repository, token } = incident.github;
  const tracker = new GitHubIssueTracker({
    api: await host.github(token),
    repository,
    logger: host.logger,
    label: incident.label,
    ...(incident.extraLabels ? { extraLabels: incident.extraLabels } : {}),
  });
  return boundary.tracker(tracker);
}

/** Preflight's: the state of `stateDir` (for not-bad checks), the step's environment for secrets. */
export function preflightDeps(host: Host, stateDir: string): PreflightDeps & Host {
  return {
    ...host,
    readState: (environment) => new FileStateStore(host.resolveDir(stateDir)).read(environment),
    readEnv: host.readEnv,
    mask: (value) => host.redactor.add(value),
  };
}

/** Registry clients with the release's credentials, one per registry (its tokens kept for the run). */
export function registryFor(host: Host, settings: Pick<TargetSettings, 'registry'>): RegistryFor {
  if (settings.registry) host.redactor.add(settings.registry.password);
  const clients = new Map<string, RegistryClient>();
  return (registry) => {
    const known = clients.get(registry);
    if (known) return known;
    const client = createRegistryClient({
      registry,
      logger: host.logger,
      redactor: host.redactor,
      signal: host.signal,
      ...(settings.registry ? { credentials: settings.registry } : {}),
    });
    clients.set(registry, client);
    return client;
  };
}

/** Where environments' records are read, never changed (status, promote-image, registry-retention). */
export async function recordReader(
  host: Host,
  source: RecordSource,
): Promise<{ backend: Pick<ReleaseBackend, 'read' | 'holder'>; stateDir: string; source: string }> {
  const stateDir = host.resolveDir(source.stateDir);
  const backend = source.github
    ? new GitHubReleaseBackend({
        api: await host.github(source.github.token),
        repository: source.github.repository,
        logger: host.logger,
        clock: host.clock,
        run: host.run,
        ref: '',
      })
    : new FileReleaseBackend(stateDir, host.clock, host.run.host);
  return {
    backend,
    stateDir,
    source: source.github
      ? `GitHub Deployments of ${source.github.repository.owner}/${source.github.repository.repo}`
      : `state-dir ${stateDir}`,
  };
}

/** Environments' records for steps that read them (promote-image, registry-retention), and the audit log. */
export async function recordsDeps(
  host: Host,
  source: RecordSource,
): Promise<{ readRecord(environment: string): Promise<EnvironmentState>; audit: AuditLog }> {
  const { backend, stateDir } = await recordReader(host, source);
  const boundary = new RecordBoundary(host.redactor);
  return {
    readRecord: (environment) => backend.read(environment),
    audit: boundary.audit(auditLogIn(stateDir)),
  };
}
