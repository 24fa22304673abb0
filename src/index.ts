/**
 * The core's public surface for the CLI: every action's entry module, plus what only the CLI
 * and the tooling need. Actions import their own src/entries/<action>.ts instead, so each
 * bundle reaches only its own code.
 */

export { ACTION_CATALOG, type ActionEntry, type ActionName } from './action-catalog.ts';
export * from './entries/deploy.ts';
export * from './entries/health-check.ts';
export * from './entries/incident.ts';
export * from './entries/pipeline.ts';
export * from './entries/pr-staging.ts';
export * from './entries/preflight.ts';
export * from './entries/registry.ts';
export * from './entries/runner-gate.ts';
export * from './entries/runtime.ts';
export { describeForFlags, InternalError } from './errors.ts';
export type { DeploySettings, RollbackSettings } from './model/release.ts';
export { SecretSet } from './redactor.ts';
export { exporterInputs, parseExporterSettings } from './settings/exporter.ts';
export type { HealthCheckSettings } from './settings/health-check.ts';
export type { InputSpec } from './settings/input-spec.ts';
export { applyDefaults } from './settings/input-spec.ts';
export type { DeployOutcome } from './steps/deploy.ts';
export type { HealthCheckOutcome } from './steps/health-check.ts';
export type { RollbackOutcome } from './steps/rollback.ts';

/** The runner exporter, loaded on demand: it brings prom-client, which no action needs at start-up. */
export const loadExporter = () => import('./steps/exporter.ts');

export { FileReleaseBackend } from './clients/file-release-backend.ts';
export { GitHubReleaseBackend } from './github/github-release-backend.ts';
export { parseStatusSettings, statusInputs } from './settings/status.ts';
export { renderStatusText, runStatus } from './steps/status.ts';
