import { FileIssueTracker, GitHubIssueTracker, type PipelineSettings } from '../../src/entries/pipeline.ts';
import type { ActionContext } from './run-action.ts';

/** Where the pipeline files incidents, as its incident input says: GitHub issues, Markdown files, or nowhere. */
export async function incidentTracker(action: ActionContext, incident: PipelineSettings['incident']) {
  if (incident.kind === 'github') {
    const api = await action.github(incident.github.token);
    const { repository } = incident.github;
    return new GitHubIssueTracker({ api, repository, logger: action.deps.logger, label: incident.label });
  }
  return incident.kind === 'file' ? new FileIssueTracker(action.expandHome(incident.dir)) : undefined;
}
