import { parseRunnerGateSettings, runnerGateInputs, runnerGateOutputs } from '../settings/runner-gate.ts';
import { defineStep } from '../step.ts';
import { renderGateSummary, runRunnerGate } from '../steps/runner-gate.ts';

/** The runner-health-gate action and `deploy-actions gate`. */
export const runnerGateStep = defineStep({
  inputs: runnerGateInputs,
  outputs: runnerGateOutputs,
  parse: (raw) => parseRunnerGateSettings(raw),
  async run(settings, host) {
    const decision = await runRunnerGate(settings, host);
    return {
      ok: Boolean(decision.runner),
      message: decision.runner
        ? `Chose ${decision.runner}: ${decision.reason}`
        : `No healthy runner: ${decision.reason}`,
      report: decision,
      outputs: {
        runner: decision.runner ?? '',
        'runs-on': decision.labels ? JSON.stringify(decision.labels) : '',
        report: JSON.stringify(decision),
      },
      summary: renderGateSummary(decision),
      ...(decision.runner
        ? { text: `${decision.runner} ${JSON.stringify(decision.labels)}: ${decision.reason}` }
        : {}),
      title: 'runner-health-gate: failed closed',
    };
  },
});
