import { FileIssueTracker } from '../clients/file-issue-tracker.ts';
import { GitHubIssueTracker } from '../github/github-issue-tracker.ts';
import type { GitHubApi, IssueTracker, Logger } from '../ports.ts';
import type { PipelineSettings } from '../settings/pipeline.ts';

/**
 * Where the pipeline files incidents, as its incident input says: GitHub issues (through `api`,
 * which the adapter makes for incident: github), Markdown files in a directory, or nowhere.
 */
export function chooseIncidentTracker(
  incident: PipelineSettings['incident'],
  deps: { readonly api?: GitHubApi; readonly logger: Logger; readonly resolveDir: (dir: string) => string },
): IssueTracker | undefined {
  if (incident.kind === 'file') return new FileIssueTracker(deps.resolveDir(incident.dir));
  if (incident.kind === 'none') return undefined;
  if (!deps.api) throw new Error('incident: github needs a GitHub client');
  const { repository } = incident.github;
  return new GitHubIssueTracker({ api: deps.api, repository, logger: deps.logger, label: incident.label });
}
