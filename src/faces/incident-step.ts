import type { Host } from '../host.ts';
import { incidentInputs, incidentOutputs, parseIncidentSettings } from '../settings/incident.ts';
import { defineStep } from '../step.ts';
import { renderIncidentSummary, runIncident } from '../steps/incident.ts';
import { incidentTracker } from '../wiring.ts';

/** The incident-issue action and `deploy-actions incident`. */
export const incidentStep = defineStep({
  inputs: incidentInputs,
  outputs: incidentOutputs,
  parse: (raw, host: Host) => parseIncidentSettings(raw, host.readFile),
  async run(settings, host) {
    const tracker = await incidentTracker(host, { kind: 'github', ...settings });
    const outcome = await runIncident(settings, { ...host, tracker: tracker! });
    return {
      ok: !outcome.failure,
      message: outcome.failure
        ? `incident-issue: ${outcome.failure}`
        : outcome.url
          ? `${outcome.action}: ${outcome.url}`
          : outcome.action,
      report: outcome,
      outputs: {
        action: outcome.action,
        'issue-number': outcome.number ? String(outcome.number) : '',
        'issue-url': outcome.url ?? '',
      },
      summary: renderIncidentSummary(outcome),
      title: 'The incident could not be filed',
    };
  },
});
