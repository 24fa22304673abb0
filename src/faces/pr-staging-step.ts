import type { Host } from '../host.ts';
import { parsePrStagingSettings, prStagingInputs, prStagingOutputs } from '../settings/pr-staging.ts';
import { readPullRequestEvent } from '../staging/pr-event.ts';
import { defineStep } from '../step.ts';
import { runPrStaging } from '../steps/pr-staging.ts';

/** The pr-staging action (on GitHub only: it reads the pull request's event). */
export const prStagingStep = defineStep({
  inputs: prStagingInputs,
  outputs: prStagingOutputs,
  parse: (raw, host: Host) => {
    const eventPath = host.readEnv('GITHUB_EVENT_PATH');
    const payload = eventPath ? JSON.parse(host.readFile(eventPath)) : undefined;
    return {
      settings: parsePrStagingSettings(raw),
      event: readPullRequestEvent(host.readEnv('GITHUB_EVENT_NAME') ?? '', payload),
    };
  },
  async run({ settings, event }, host) {
    const api = await host.github(settings.github.token);
    const outcome = await runPrStaging(settings, event, { ...host, api });
    return {
      ok: outcome.ok,
      message: outcome.ok ? outcome.reason : `pr-staging: ${outcome.reason}`,
      report: outcome,
      outputs: {
        decision: outcome.decision ?? '',
        reason: outcome.reason,
        environment: outcome.environment,
        ref: outcome.ref,
        'pr-number': String(outcome.number),
        'comment-url': outcome.commentUrl ?? '',
      },
      summary: `### Staging for #${outcome.number}: ${outcome.decision ?? settings.mode}\n\n${outcome.reason}`,
      title: `pr-staging ${settings.mode} failed`,
    };
  },
});
