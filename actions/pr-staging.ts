import { prStagingStep } from '../src/entries/pr-staging.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('pr-staging', prStagingStep);
