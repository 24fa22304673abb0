/** The runner-health-gate action's view of the core (see src/entries/runtime.ts for why entries exist). */

export { runnerGateStep } from '../faces/runner-gate-step.ts';
export { parseRunnerGateSettings, runnerGateInputs, runnerGateOutputs } from '../settings/runner-gate.ts';
export { renderGateSummary, runRunnerGate } from '../steps/runner-gate.ts';
