/** The incident-issue action's view of the core (see src/entries/runtime.ts for why entries exist). */

export { incidentStep } from '../faces/incident-step.ts';
export { incidentInputs, incidentOutputs, parseIncidentSettings } from '../settings/incident.ts';
export { renderIncidentSummary, runIncident } from '../steps/incident.ts';
export { incidentTracker } from '../wiring.ts';
