import { readFileSync } from 'node:fs';
import {
  parsePrStagingSettings,
  prStagingInputs,
  prStagingOutputs,
  readPullRequestEvent,
  runPrStaging,
} from '../src/entries/pr-staging.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('pr-staging', async (action) => {
  const settings = parsePrStagingSettings(action.readInputs(prStagingInputs));
  const eventPath = process.env.GITHUB_EVENT_PATH;
  const payload = eventPath ? JSON.parse(readFileSync(eventPath, 'utf8')) : undefined;
  const event = readPullRequestEvent(process.env.GITHUB_EVENT_NAME ?? '', payload);
  const api = await action.host.github(settings.github.token);
  const outcome = await runPrStaging(settings, event, { ...action.host, api });
  action.setOutputs(prStagingOutputs, {
    decision: outcome.decision ?? '',
    reason: outcome.reason,
    environment: outcome.environment,
    ref: outcome.ref,
    'pr-number': String(outcome.number),
    'comment-url': outcome.commentUrl ?? '',
  });
  await action.appendSummary(
    `### Staging for #${outcome.number}: ${outcome.decision ?? settings.mode}\n\n${outcome.reason}`,
  );
  if (!outcome.ok) action.fail(`pr-staging: ${outcome.reason}`, `pr-staging ${settings.mode} failed`);
});
