import { describeError } from '../errors.ts';
import type { Host } from '../host.ts';
import type { DeploySettings } from '../model/release.ts';
import { withTextPatterns } from '../schema/text-pattern.ts';
import {
  deployInputs,
  deployOutputs,
  parseDeploySettings,
  parseRollbackSettings,
  rollbackInputs,
  rollbackOutputs,
} from '../settings/deploy.ts';
import { defineStep } from '../step.ts';
import { runDeploy } from '../steps/deploy.ts';
import { renderDeploySummary, renderRollbackSummary } from '../steps/deploy-summary.ts';
import { pinImage, pinRollbackImage } from '../steps/pin-image.ts';
import { runRollback } from '../steps/rollback.ts';
import { registryFor, releaseDeps } from '../wiring.ts';

/** The deploy action and `deploy-actions deploy`. */
export const deployStep = defineStep({
  inputs: deployInputs,
  outputs: deployOutputs,
  parse: (raw, host: Host): Promise<DeploySettings> =>
    withTextPatterns(() => parseDeploySettings(raw, host.readFile)),
  async run(settings, host) {
    const deps = await releaseDeps(host, settings);
    const pinned = await pinImage(settings, {
      logger: host.logger,
      registryFor: registryFor(host, settings),
    });
    const outcome = await runDeploy(pinned.settings, {
      ...deps,
      ...(pinned.watch ? { imageWatch: pinned.watch } : {}),
    });
    const failed = outcome.result === 'failed';
    return {
      ok: !failed && !outcome.unrecorded,
      message: outcome.message,
      report: outcome,
      outputs: {
        result: outcome.result,
        version: outcome.version,
        'previous-version': outcome.previous ?? '',
        attempts: String(outcome.attempts.length),
        slot: String(outcome.facts.slot ?? ''),
        'preview-url': String(outcome.facts.preview ?? ''),
        canary: String(outcome.facts.canary ?? ''),
        'ansible-changed': String(outcome.facts.changed ?? ''),
        'ansible-failed': String(outcome.facts.failed ?? ''),
        'ansible-unreachable': String(outcome.facts.unreachable ?? ''),
        report: JSON.stringify(outcome),
      },
      summary: renderDeploySummary(settings.environment, settings.driver.kind, outcome),
      title: `deploy: ${settings.environment} ${outcome.version} ${failed ? 'failed' : 'not recorded'}`,
    };
  },
  thrown: (settings, error) => ({
    result: 'failed',
    version: settings.version,
    'previous-version': '',
    attempts: '',
    slot: '',
    'preview-url': '',
    canary: '',
    'ansible-changed': '',
    'ansible-failed': '',
    'ansible-unreachable': '',
    // The error's message says where the release left users (an interruption says what is live).
    report: JSON.stringify({ result: 'failed', version: settings.version, message: describeError(error) }),
  }),
});

/** The rollback action and `deploy-actions rollback`. */
export const rollbackStep = defineStep({
  inputs: rollbackInputs,
  outputs: rollbackOutputs,
  parse: (raw, host: Host) => withTextPatterns(() => parseRollbackSettings(raw, host.readFile)),
  async run(settings, host) {
    const deps = await releaseDeps(host, settings);
    const pinned = await pinRollbackImage(settings, {
      logger: host.logger,
      registryFor: registryFor(host, settings),
    });
    const outcome = await runRollback(pinned, deps);
    return {
      ok: outcome.result !== 'failed' && !outcome.unrecorded,
      message: outcome.message,
      report: outcome,
      outputs: {
        result: outcome.result,
        'from-version': outcome.from,
        'to-version': outcome.to,
        report: JSON.stringify(outcome),
      },
      summary: renderRollbackSummary(settings.environment, outcome),
      title: `rollback: ${settings.environment} failed`,
    };
  },
  thrown: (settings, error) => ({
    result: 'failed',
    'from-version': '',
    'to-version': settings.toVersion ?? '',
    report: JSON.stringify({ result: 'failed', message: describeError(error) }),
  }),
});
