import {
  parsePipelineSettings,
  pipelineInputs,
  pipelineOutputs,
  renderPipelineSummary,
  runPipeline,
} from '../src/entries/pipeline.ts';
import { incidentTracker } from './runtime/incident-tracker.ts';
import { releaseBackends } from './runtime/release-backends.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('deploy-actions', async (action) => {
  const settings = parsePipelineSettings(action.readInputs(pipelineInputs), action.deps.readFile);
  const { incident, deploy } = settings;
  const tracker = await incidentTracker(action, incident);
  const outcome = await runPipeline(settings, {
    ...action.deps,
    ...(await releaseBackends(action, deploy, { kind: 'deploy', version: deploy.version })),
    run: action.run,
    preflight: { readEnv: (name) => process.env[name], mask: (value) => action.deps.redactor.add(value) },
    ...(tracker ? { tracker } : {}),
    onLocked: (token) => action.saveState({ 'lock-token': token }),
  });
  action.setOutputs(pipelineOutputs, {
    result: outcome.result,
    version: outcome.version,
    'previous-version': outcome.previous ?? '',
    'failed-stage': outcome.failedStage ?? '',
    'incident-url': outcome.incident?.url ?? '',
    report: JSON.stringify(outcome),
  });
  await action.appendSummary(renderPipelineSummary(deploy.environment, outcome));
  if (outcome.failedStage)
    action.fail(outcome.message, `deploy-actions: ${deploy.environment} failed at ${outcome.failedStage}`);
  else if (outcome.unrecorded)
    action.fail(outcome.message, `deploy-actions: ${deploy.environment} not recorded`);
  else action.deps.logger.info(outcome.message);
});
