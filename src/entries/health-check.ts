/** The health-check action's view of the core (see src/entries/runtime.ts for why entries exist). */

export { healthCheckStep } from '../faces/check-steps.ts';
export { healthCheckInputs, healthCheckOutputs, parseHealthCheckSettings } from '../settings/health-check.ts';
export { runHealthCheck } from '../steps/health-check.ts';
