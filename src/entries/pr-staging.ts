/** The pr-staging action's view of the core (see src/entries/runtime.ts for why entries exist). */

export { prStagingStep } from '../faces/pr-staging-step.ts';
export { parsePrStagingSettings, prStagingInputs, prStagingOutputs } from '../settings/pr-staging.ts';
export { readPullRequestEvent } from '../staging/pr-event.ts';
export { runPrStaging } from '../steps/pr-staging.ts';
