/** The preflight action's view of the core (see src/entries/runtime.ts for why entries exist). */

export { preflightStep } from '../faces/preflight-step.ts';
export { parsePreflightSettings, preflightInputs, preflightOutputs } from '../settings/preflight.ts';
export { renderPreflightSummary, runPreflight } from '../steps/preflight.ts';
export { preflightDeps } from '../wiring.ts';
