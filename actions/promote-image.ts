import { promoteImageStep } from '../src/entries/registry.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('promote-image', promoteImageStep);
