/** The registry actions' view of the core (see src/entries/runtime.ts for why entries exist). */
export { promoteImageStep, retentionStep } from '../faces/registry-steps.ts';
export { recordReader } from '../wiring.ts';
