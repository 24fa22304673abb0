import { ConfigurationError } from '../errors.ts';
import type { Host } from '../host.ts';
import { withTextPatterns } from '../schema/text-pattern.ts';
import { healthCheckInputs, healthCheckOutputs, parseHealthCheckSettings } from '../settings/health-check.ts';
import { defineStep } from '../step.ts';
import { runHealthCheck } from '../steps/health-check.ts';

/** The health-check action and `deploy-actions health-check`. */
export const healthCheckStep = defineStep({
  inputs: healthCheckInputs,
  outputs: healthCheckOutputs,
  parse: async (raw, host: Host) => {
    const settings = await withTextPatterns(() => parseHealthCheckSettings(raw, host.readFile));
    const outside = settings.reportFile ? host.unwritable(settings.reportFile) : undefined;
    if (outside) throw new ConfigurationError('report-file', outside);
    return settings;
  },
  async run(settings, host) {
    const outcome = await runHealthCheck(settings, host);
    return {
      ok: outcome.verdict === 'successful',
      message: outcome.message,
      report: outcome.report,
      outputs: { result: outcome.verdict, report: JSON.stringify(outcome.report) },
      summary: outcome.summary,
      text: outcome.text,
      title: outcome.title,
    };
  },
});
