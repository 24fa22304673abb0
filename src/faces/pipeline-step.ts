import type { Host } from '../host.ts';
import { runPipeline } from '../pipeline.ts';
import { renderPipelineSummary, renderPipelineText } from '../pipeline-summary.ts';
import { withTextPatterns } from '../schema/text-pattern.ts';
import { parsePipelineSettings, pipelineInputs, pipelineOutputs } from '../settings/pipeline.ts';
import { defineStep } from '../step.ts';
import { pinImage } from '../steps/pin-image.ts';
import { pipelineDeps, registryFor } from '../wiring.ts';

const EXIT = { configuration: 'bad-input', interrupted: 'interrupted', failed: undefined } as const;

/** The root action and `deploy-actions run`. */
export const pipelineStep = defineStep({
  inputs: pipelineInputs,
  outputs: pipelineOutputs,
  parse: (raw, host: Host) => withTextPatterns(() => parsePipelineSettings(raw, host.readFile)),
  async run(settings, host) {
    const deps = await pipelineDeps(host, settings);
    const pinned = await pinImage(settings.deploy, {
      logger: host.logger,
      registryFor: registryFor(host, settings.deploy),
    });
    const outcome = await runPipeline(
      { ...settings, deploy: pinned.settings },
      { ...deps, ...(pinned.watch ? { imageWatch: pinned.watch } : {}) },
    );
    const { environment } = settings.deploy;
    const exit = outcome.failure ? EXIT[outcome.failure] : undefined;
    return {
      ok: !outcome.failedStage && !outcome.unrecorded,
      message: outcome.message,
      report: outcome,
      outputs: {
        result: outcome.result,
        version: outcome.version,
        'previous-version': outcome.previous ?? '',
        'preview-url': outcome.preview ?? '',
        canary: outcome.canary ?? '',
        'failed-stage': outcome.failedStage ?? '',
        'incident-url': outcome.incident?.url ?? '',
        report: JSON.stringify(outcome),
      },
      summary: renderPipelineSummary(environment, outcome),
      text: renderPipelineText(outcome),
      title: `deploy-actions: ${environment} ${outcome.failedStage ? `failed at ${outcome.failedStage}` : 'not recorded'}`,
      ...(exit ? { exit } : {}),
    };
  },
});
