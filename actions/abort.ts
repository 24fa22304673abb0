import { abortStep } from '../src/entries/deploy.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('abort', abortStep);
