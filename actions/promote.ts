import { promoteStep } from '../src/entries/deploy.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('promote', promoteStep);
