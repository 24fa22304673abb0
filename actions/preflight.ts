import {
  FileStateStore,
  parsePreflightSettings,
  preflightInputs,
  preflightOutputs,
  renderPreflightSummary,
  runPreflight,
} from '../src/entries/preflight.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('preflight', async (action) => {
  const settings = parsePreflightSettings(action.readInputs(preflightInputs));
  const outcome = await runPreflight(settings, {
    ...action.deps,
    store: () => new FileStateStore(action.expandHome(settings.stateDir)),
    readEnv: (name) => process.env[name],
    mask: (value) => action.deps.redactor.add(value),
  });
  action.setOutputs(preflightOutputs, { result: outcome.result, report: JSON.stringify(outcome) });
  await action.appendSummary(renderPreflightSummary(outcome));
  if (outcome.result === 'failed') action.fail(outcome.message, 'preflight failed');
  else action.deps.logger.info(outcome.message);
});
