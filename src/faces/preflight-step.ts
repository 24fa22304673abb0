import { parsePreflightSettings, preflightInputs, preflightOutputs } from '../settings/preflight.ts';
import { defineStep } from '../step.ts';
import { renderPreflightSummary, runPreflight } from '../steps/preflight.ts';
import { preflightDeps } from '../wiring.ts';

/** The preflight action and `deploy-actions preflight`. */
export const preflightStep = defineStep({
  inputs: preflightInputs,
  outputs: preflightOutputs,
  parse: (raw) => parsePreflightSettings(raw),
  async run(settings, host) {
    const outcome = await runPreflight(settings, preflightDeps(host, settings.stateDir));
    return {
      ok: outcome.result !== 'failed',
      message: outcome.message,
      report: outcome,
      outputs: { result: outcome.result, report: JSON.stringify(outcome) },
      summary: renderPreflightSummary(outcome),
      title: 'preflight failed',
    };
  },
});
