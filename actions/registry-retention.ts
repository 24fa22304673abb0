import { retentionStep } from '../src/entries/registry.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('registry-retention', retentionStep);
