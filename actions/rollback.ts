import {
  parseRollbackSettings,
  rollbackInputs,
  rollbackOutputs,
  runRollback,
} from '../src/entries/deploy.ts';
import { releaseBackends } from './runtime/release-backends.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('rollback', async (action) => {
  const settings = parseRollbackSettings(action.readInputs(rollbackInputs), action.deps.readFile);
  const outcome = await runRollback(settings, {
    ...action.deps,
    ...(await releaseBackends(action, settings, {
      kind: 'rollback',
      ...(settings.toVersion ? { version: settings.toVersion } : {}),
    })),
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
  if (outcome.result === 'failed' || outcome.unrecorded)
    action.fail(outcome.message, `rollback: ${settings.environment} failed`);
  else action.deps.logger.info(outcome.message);
});
