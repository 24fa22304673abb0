import { chooseIncidentTracker, type PipelineSettings } from '../../src/entries/pipeline.ts';
import type { ActionContext } from './run-action.ts';

/** Where the pipeline files incidents; the GitHub client is made only for incident: github. */
export async function incidentTracker(action: ActionContext, incident: PipelineSettings['incident']) {
  const api = incident.kind === 'github' ? await action.github(incident.github.token) : undefined;
  return chooseIncidentTracker(incident, {
    ...(api ? { api } : {}),
    logger: action.deps.logger,
    resolveDir: (dir) => action.expandHome(dir),
  });
}
