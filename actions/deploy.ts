import {
  deployInputs,
  deployOutputs,
  parseDeploySettings,
  releaseDeps,
  renderDeploySummary,
  runDeploy,
} from '../src/entries/deploy.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('deploy', async (action) => {
  const settings = parseDeploySettings(action.readInputs(deployInputs), action.host.readFile);
  const plan = { kind: 'deploy', version: settings.version } as const;
  const outcome = await runDeploy(settings, await releaseDeps(action.host, settings, plan));
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
  else action.host.logger.info(outcome.message);
});
