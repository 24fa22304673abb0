import {
  createFileBackends,
  deployInputs,
  deployOutputs,
  parseDeploySettings,
  renderDeploySummary,
  runDeploy,
} from '../src/entries/deploy.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('deploy', async (action) => {
  const settings = parseDeploySettings(action.readInputs(deployInputs), action.deps.readFile);
  const stateDir = action.expandHome(settings.stateDir);
  action.saveState({ environment: settings.environment, 'state-dir': stateDir });
  const outcome = await runDeploy(settings, {
    ...action.deps,
    ...createFileBackends(stateDir, action.deps.clock, action.run.host),
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
  else if (outcome.result !== 'dry-run') action.deps.logger.info(outcome.message);
});
