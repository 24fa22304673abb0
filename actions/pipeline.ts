import { pipelineStep } from '../src/entries/pipeline.ts';
import { runStep } from './runtime/run-step.ts';

await runStep('deploy-actions', pipelineStep);
