/** The core's public surface: what the GitHub adapters and the CLI may use. */
export { describeError, ConfigurationError, InternalError, InterruptedError } from './errors.ts';
export type * from './ports.ts';
export { Redactor } from './redactor.ts';
export { systemClock } from './clients/system-clock.ts';
export { ProcessRunner } from './clients/process-runner.ts';
export type { InputSpec, InputSpecs, OutputSpecs, RawInputs } from './settings/input-spec.ts';
export { applyDefaults } from './settings/input-spec.ts';
export { healthCheckInputs, healthCheckOutputs, parseHealthCheckSettings } from './settings/health-check.ts';
export type { HealthCheckSettings } from './settings/health-check.ts';
export { runHealthCheck } from './steps/health-check.ts';
export type { HealthCheckOutcome } from './steps/health-check.ts';
