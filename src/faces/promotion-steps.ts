import { describeError } from '../errors.ts';
import type { Host } from '../host.ts';
import { withTextPatterns } from '../schema/text-pattern.ts';
import { abortOutputs, parsePromotionSettings, promoteOutputs, promotionInputs } from '../settings/deploy.ts';
import { defineStep } from '../step.ts';
import { renderPromoteSummary } from '../steps/deploy-summary.ts';
import { runAbort, runPromote } from '../steps/promotion.ts';
import { releaseDeps } from '../wiring.ts';

const parseFor =
  (control: 'promote' | 'abort') => (raw: Parameters<typeof parsePromotionSettings>[0], host: Host) =>
    withTextPatterns(() => parsePromotionSettings(raw, host.readFile, control));

/** The promote action and `deploy-actions promote`. */
export const promoteStep = defineStep({
  inputs: promotionInputs,
  outputs: promoteOutputs,
  parse: parseFor('promote'),
  async run(settings, host) {
    const outcome = await runPromote(settings, await releaseDeps(host, settings));
    return {
      ok: outcome.result === 'promoted' && !outcome.unrecorded,
      message: outcome.message,
      report: outcome,
      outputs: {
        result: outcome.result,
        version: outcome.version,
        'previous-version': outcome.previous ?? '',
        slot: outcome.result === 'promoted' ? String(outcome.facts.slot ?? '') : '',
        report: JSON.stringify(outcome),
      },
      summary: renderPromoteSummary(settings.environment, outcome),
      title: `promote: ${settings.environment} ${outcome.version} ${outcome.result === 'promoted' ? 'not recorded' : 'failed'}`,
    };
  },
  thrown: (_settings, error) => ({
    result: 'failed',
    version: '',
    'previous-version': '',
    slot: '',
    report: JSON.stringify({ result: 'failed', message: describeError(error) }),
  }),
});

/** The abort action and `deploy-actions abort`. */
export const abortStep = defineStep({
  inputs: promotionInputs,
  outputs: abortOutputs,
  parse: parseFor('abort'),
  async run(settings, host) {
    const outcome = await runAbort(settings, await releaseDeps(host, settings));
    return {
      ok: true,
      message: outcome.message,
      report: outcome,
      outputs: {
        result: outcome.result,
        version: outcome.version,
        slot: outcome.slot,
        stopped: String(outcome.stopped),
        report: JSON.stringify(outcome),
      },
      summary: `### 🚫 Abort of ${outcome.version} on ${settings.environment}\n\n${outcome.message}`,
    };
  },
});
