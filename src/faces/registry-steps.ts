import { describeError } from '../errors.ts';
import type { Host } from '../host.ts';
import {
  parsePromoteImageSettings,
  parseRetentionSettings,
  promoteImageInputs,
  promoteImageOutputs,
  retentionInputs,
  retentionOutputs,
} from '../settings/registry.ts';
import { defineStep } from '../step.ts';
import { renderPromoteImageSummary, runPromoteImage } from '../steps/promote-image.ts';
import { renderRetentionSummary, runRetention } from '../steps/registry-retention.ts';
import { recordsDeps, registryFor } from '../wiring.ts';

/** The promote-image action and `deploy-actions promote-image`. */
export const promoteImageStep = defineStep({
  inputs: promoteImageInputs,
  outputs: promoteImageOutputs,
  parse: (raw, _host: Host) => Promise.resolve(parsePromoteImageSettings(raw)),
  async run(settings, host) {
    const records = await recordsDeps(host, settings.records);
    const outcome = await runPromoteImage(settings, {
      ...host,
      ...records,
      registryFor: registryFor(host, settings),
    });
    return {
      ok: outcome.result === 'promoted',
      message: outcome.message,
      report: outcome,
      outputs: {
        digest: outcome.result === 'promoted' ? outcome.digest : '',
        image: outcome.result === 'promoted' ? outcome.image : '',
        tag: outcome.result === 'promoted' ? outcome.tag : '',
        report: JSON.stringify(outcome),
      },
      summary: renderPromoteImageSummary(outcome),
      title: `promote-image: ${settings.from} → ${settings.to} refused`,
    };
  },
  thrown: (_settings, error) => ({
    digest: '',
    image: '',
    tag: '',
    report: JSON.stringify({ result: 'failed', message: describeError(error) }),
  }),
});

/** The registry-retention action and `deploy-actions registry-retention`. */
export const retentionStep = defineStep({
  inputs: retentionInputs,
  outputs: retentionOutputs,
  parse: (raw, _host: Host) => Promise.resolve(parseRetentionSettings(raw)),
  async run(settings, host) {
    const records = await recordsDeps(host, settings.records);
    const outcome = await runRetention(settings, {
      ...host,
      ...records,
      registryFor: registryFor(host, settings),
    });
    return {
      ok: outcome.result !== 'failed',
      message: outcome.message,
      report: outcome,
      outputs: {
        result: outcome.result,
        removed: JSON.stringify(outcome.removed),
        report: JSON.stringify(outcome),
      },
      summary: renderRetentionSummary(outcome),
      title: `registry-retention: ${outcome.repository} failed`,
    };
  },
  thrown: (_settings, error) => ({
    result: 'failed',
    removed: '[]',
    report: JSON.stringify({ result: 'failed', message: describeError(error) }),
  }),
});
