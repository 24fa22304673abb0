import {
  parsePipelineSettings,
  pipelineDeps,
  pipelineInputs,
  pipelineOutputs,
  renderPipelineSummary,
  runPipeline,
} from '../src/entries/pipeline.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('deploy-actions', async (action) => {
  const settings = parsePipelineSettings(action.readInputs(pipelineInputs), action.host.readFile);
  const outcome = await runPipeline(settings, await pipelineDeps(action.host, settings));
  const { environment } = settings.deploy;
  action.setOutputs(pipelineOutputs, {
    result: outcome.result,
    version: outcome.version,
    'previous-version': outcome.previous ?? '',
    'failed-stage': outcome.failedStage ?? '',
    'incident-url': outcome.incident?.url ?? '',
    report: JSON.stringify(outcome),
  });
  await action.appendSummary(renderPipelineSummary(environment, outcome));
  if (outcome.failedStage)
    action.fail(outcome.message, `deploy-actions: ${environment} failed at ${outcome.failedStage}`);
  else if (outcome.unrecorded) action.fail(outcome.message, `deploy-actions: ${environment} not recorded`);
  else action.host.logger.info(outcome.message);
});
