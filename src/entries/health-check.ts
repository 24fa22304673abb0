/** The health-check action's view of the core (see src/entries/runtime.ts for why entries exist). */
export { healthCheckInputs, healthCheckOutputs, parseHealthCheckSettings } from '../settings/health-check.ts';
export { runHealthCheck } from '../steps/health-check.ts';
