import {
  incidentInputs,
  incidentOutputs,
  incidentTracker,
  parseIncidentSettings,
  renderIncidentSummary,
  runIncident,
} from '../src/entries/incident.ts';
import { runAction } from './runtime/run-action.ts';

await runAction('incident-issue', async (action) => {
  const settings = parseIncidentSettings(action.readInputs(incidentInputs), action.host.readFile);
  const tracker = await incidentTracker(action.host, { kind: 'github', ...settings });
  const outcome = await runIncident(settings, { ...action.host, tracker: tracker! });
  action.setOutputs(incidentOutputs, {
    action: outcome.action,
    'issue-number': outcome.number ? String(outcome.number) : '',
    'issue-url': outcome.url ?? '',
  });
  await action.appendSummary(renderIncidentSummary(outcome));
  if (outcome.failure) action.fail(`incident-issue: ${outcome.failure}`, 'The incident could not be filed');
});
