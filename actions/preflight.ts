import {
  parsePreflightSettings,
  preflightDeps,
  preflightInputs,
  preflightOutputs,
  renderPreflightSummary,
  runPreflight,
} from '../src/entries/preflight.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('preflight', async (action) => {
  const settings = parsePreflightSettings(action.readInputs(preflightInputs));
  const outcome = await runPreflight(settings, preflightDeps(action.host, settings.stateDir));
  action.setOutputs(preflightOutputs, { result: outcome.result, report: JSON.stringify(outcome) });
  await action.appendSummary(renderPreflightSummary(outcome));
  if (outcome.result === 'failed') action.fail(outcome.message, 'preflight failed');
  else action.host.logger.info(outcome.message);
});
