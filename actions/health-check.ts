import {
  healthCheckInputs,
  healthCheckOutputs,
  parseHealthCheckSettings,
  runHealthCheck,
} from '../src/entries/health-check.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('health-check', async (action) => {
  const settings = parseHealthCheckSettings(action.readInputs(healthCheckInputs), action.host.readFile);
  const outcome = await runHealthCheck(settings, action.host);
  action.setOutputs(healthCheckOutputs, { result: outcome.verdict, report: JSON.stringify(outcome.report) });
  await action.appendSummary(outcome.summary);
  if (outcome.verdict !== 'successful') action.fail(outcome.message, outcome.title);
});
