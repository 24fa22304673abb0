/** The core's public surface: what the GitHub adapters and the CLI may use. */

export { ACTION_CATALOG, type ActionEntry, type ActionName } from './action-catalog.ts';
export { createFileBackends } from './clients/file-backends.ts';
export { FileStateStore } from './clients/file-state-store.ts';
export { ProcessRunner } from './clients/process-runner.ts';
export { systemClock } from './clients/system-clock.ts';
export { renderDeploySummary } from './deploy/report-markdown.ts';
export { ConfigurationError, describeError, InternalError, InterruptedError } from './errors.ts';
export type * from './ports.ts';
export { Redactor, SecretSet } from './redactor.ts';
export type { DeploySettings, RollbackSettings } from './settings/deploy.ts';
export {
  deployInputs,
  deployOutputs,
  parseDeploySettings,
  parseRollbackSettings,
  rollbackInputs,
  rollbackOutputs,
} from './settings/deploy.ts';
export { exporterInputs, parseExporterSettings } from './settings/exporter.ts';
export type { HealthCheckSettings } from './settings/health-check.ts';
export { healthCheckInputs, healthCheckOutputs, parseHealthCheckSettings } from './settings/health-check.ts';
export type { InputSpec, InputSpecs, OutputSpecs, RawInputs } from './settings/input-spec.ts';
export { applyDefaults } from './settings/input-spec.ts';
export { parsePreflightSettings, preflightInputs, preflightOutputs } from './settings/preflight.ts';
export { parseRunnerGateSettings, runnerGateInputs, runnerGateOutputs } from './settings/runner-gate.ts';
export type { DeployOutcome } from './steps/deploy.ts';
export { runDeploy } from './steps/deploy.ts';
export { runDeployCleanup } from './steps/deploy-cleanup.ts';
export type { HealthCheckOutcome } from './steps/health-check.ts';
export { runHealthCheck } from './steps/health-check.ts';
export { renderPreflightSummary, runPreflight } from './steps/preflight.ts';
export type { RollbackOutcome } from './steps/rollback.ts';
export { runRollback } from './steps/rollback.ts';
export { renderGateSummary, runRunnerGate } from './steps/runner-gate.ts';
/** The runner exporter, loaded on demand: it brings prom-client, which no action needs at start-up. */
export const loadExporter = () => import('./steps/exporter.ts');
