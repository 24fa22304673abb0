import { healthCheckStep } from '../src/entries/health-check.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('health-check', healthCheckStep);
