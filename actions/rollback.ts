import {
  createFileBackends,
  parseRollbackSettings,
  rollbackInputs,
  rollbackOutputs,
  runRollback,
} from '../src/entries/deploy.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('rollback', async (action) => {
  const settings = parseRollbackSettings(action.readInputs(rollbackInputs), action.deps.readFile);
  const outcome = await runRollback(settings, {
    ...action.deps,
    ...createFileBackends(action.expandHome(settings.stateDir), action.deps.clock, action.run.host),
    run: action.run,
  });
  action.setOutputs(rollbackOutputs, {
    result: outcome.result,
    'from-version': outcome.from,
    'to-version': outcome.to,
    report: JSON.stringify(outcome),
  });
  const icon = outcome.result === 'failed' ? '❌' : outcome.result === 'dry-run' ? '📝' : '↩️';
  await action.appendSummary(
    `### ${icon} Rollback of ${settings.environment}: ${outcome.from} → ${outcome.to}\n\n${outcome.message}`,
  );
  if (outcome.result === 'failed') action.fail(outcome.message, `rollback: ${settings.environment} failed`);
  else action.deps.logger.info(outcome.message);
});
