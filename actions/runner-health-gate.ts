import {
  parseRunnerGateSettings,
  renderGateSummary,
  runnerGateInputs,
  runnerGateOutputs,
  runRunnerGate,
} from '../src/entries/runner-gate.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('runner-health-gate', async (action) => {
  const settings = parseRunnerGateSettings(action.readInputs(runnerGateInputs));
  const decision = await runRunnerGate(settings, action.host);
  action.setOutputs(runnerGateOutputs, {
    runner: decision.runner ?? '',
    'runs-on': decision.labels ? JSON.stringify(decision.labels) : '',
    report: JSON.stringify(decision),
  });
  await action.appendSummary(renderGateSummary(decision));
  if (decision.runner) action.host.logger.info(`Chose ${decision.runner}: ${decision.reason}`);
  else action.fail(`No healthy runner: ${decision.reason}`, 'runner-health-gate: failed closed');
});
