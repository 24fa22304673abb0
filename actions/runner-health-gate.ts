import { runnerGateStep } from '../src/entries/runner-gate.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('runner-health-gate', runnerGateStep);
