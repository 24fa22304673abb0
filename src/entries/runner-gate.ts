/** The runner-health-gate action's view of the core (see src/entries/runtime.ts for why entries exist). */
export { parseRunnerGateSettings, runnerGateInputs, runnerGateOutputs } from '../settings/runner-gate.ts';
export { renderGateSummary, runRunnerGate } from '../steps/runner-gate.ts';
