/** The root action's view of the core: the whole pipeline (see src/entries/runtime.ts for why entries exist). */

export { pipelineStep } from '../faces/pipeline-step.ts';
export { runPipeline } from '../pipeline.ts';
export { renderPipelineSummary, renderPipelineText } from '../pipeline-summary.ts';
export {
  type PipelineSettings,
  parsePipelineSettings,
  pipelineInputs,
  pipelineOutputs,
} from '../settings/pipeline.ts';
export { runDeployCleanup } from '../steps/deploy-cleanup.ts';
export { sweepAbandonedSshDirs } from '../target/ssh-sweep.ts';
export { pipelineDeps, releaseDeps } from '../wiring.ts';
