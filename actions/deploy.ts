import { deployStep } from '../src/entries/deploy.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('deploy', deployStep);
