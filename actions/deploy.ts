import {
  deployInputs,
  deployOutputs,
  parseDeploySettings,
  renderDeploySummary,
  runDeploy,
} from '../src/entries/deploy.ts';
import { releaseBackends } from './runtime/release-backends.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('deploy', async (action) => {
  const settings = parseDeploySettings(action.readInputs(deployInputs), action.deps.readFile);
  const outcome = await runDeploy(settings, {
    ...action.deps,
    ...(await releaseBackends(action, settings, { kind: 'deploy', version: settings.version })),
    run: action.run,
    onLocked: (token) => action.saveState({ 'lock-token': token }),
  });
  action.setOutputs(deployOutputs, {
    result: outcome.result,
    version: outcome.version,
    'previous-version': outcome.previous ?? '',
    attempts: String(outcome.attempts.length),
    'ansible-changed': String(outcome.facts.changed ?? ''),
    'ansible-failed': String(outcome.facts.failed ?? ''),
    'ansible-unreachable': String(outcome.facts.unreachable ?? ''),
    report: JSON.stringify(outcome),
  });
  await action.appendSummary(renderDeploySummary(settings.environment, settings.driver.kind, outcome));
  if (outcome.result === 'failed')
    action.fail(outcome.message, `deploy: ${settings.environment} ${outcome.version} failed`);
  else if (outcome.unrecorded)
    action.fail(outcome.message, `deploy: ${settings.environment} ${outcome.version} not recorded`);
  else action.deps.logger.info(outcome.message);
});
