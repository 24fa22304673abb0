import { preflightStep } from '../src/entries/preflight.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('preflight', preflightStep);
