import {
  parseRollbackSettings,
  releaseDeps,
  rollbackInputs,
  rollbackOutputs,
  runRollback,
} from '../src/entries/deploy.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('rollback', async (action) => {
  const settings = parseRollbackSettings(action.readInputs(rollbackInputs), action.host.readFile);
  const plan = { kind: 'rollback', ...(settings.toVersion ? { version: settings.toVersion } : {}) } as const;
  const outcome = await runRollback(settings, await releaseDeps(action.host, settings, plan));
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
  if (outcome.result === 'failed' || outcome.unrecorded)
    action.fail(outcome.message, `rollback: ${settings.environment} failed`);
  else action.host.logger.info(outcome.message);
});
