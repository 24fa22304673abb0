import {
  GitHubIssueTracker,
  incidentInputs,
  incidentOutputs,
  parseIncidentSettings,
  renderIncidentSummary,
  runIncident,
} from '../src/entries/incident.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('incident-issue', async (action) => {
  const settings = parseIncidentSettings(action.readInputs(incidentInputs), action.deps.readFile);
  const { token, repository } = settings.github;
  const tracker = new GitHubIssueTracker({
    api: await action.github(token),
    repository,
    logger: action.deps.logger,
    label: settings.label,
    extraLabels: settings.extraLabels,
  });
  const outcome = await runIncident(settings, { ...action.deps, tracker, run: action.run });
  action.setOutputs(incidentOutputs, {
    action: outcome.action,
    'issue-number': outcome.number ? String(outcome.number) : '',
    'issue-url': outcome.url ?? '',
  });
  await action.appendSummary(renderIncidentSummary(outcome));
  if (outcome.failure) action.fail(`incident-issue: ${outcome.failure}`, 'The incident could not be filed');
});
