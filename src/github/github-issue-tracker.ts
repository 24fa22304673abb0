import { isIncidentOf } from '../incident/incident-report.ts';
import type { GitHubApi, IncidentRef, IssueTracker, Logger, RepositoryRef } from '../ports.ts';
import { GitHubAnswerError } from './answers.ts';
import { callGitHub, explainGitHubError, statusOf } from './github-errors.ts';

export interface GitHubIssueTrackerOptions {
  readonly api: GitHubApi;
  readonly repository: RepositoryRef;
  readonly logger: Logger;
  /** The label every incident carries (created when missing). Default production-incident. */
  readonly label?: string;
  /** More labels for a new incident. */
  readonly extraLabels?: readonly string[];
}

/**
 * Incidents as GitHub issues. An environment's open incident is the open issue with the label
 * whose body starts with the environment's hidden marker (titles change; markers do not).
 */
function toRef(data: unknown): IncidentRef {
  const issue = data as { number: number; html_url: string };
  return { number: issue.number, url: issue.html_url };
}

/** How many pages of open labelled issues are read for an incident (10,000 issues). */
const INCIDENT_PAGES = 100;

export class GitHubIssueTracker implements IssueTracker {
  readonly #api: GitHubApi;
  readonly #repository: RepositoryRef;
  readonly #logger: Logger;
  readonly #label: string;
  readonly #extraLabels: readonly string[];

  constructor(options: GitHubIssueTrackerOptions) {
    this.#api = options.api;
    this.#repository = options.repository;
    this.#logger = options.logger;
    this.#label = options.label ?? 'production-incident';
    this.#extraLabels = options.extraLabels ?? [];
  }

  /**
   * The environment's open incident, however many open issues with the label stand before it
   * (incidents of other environments, newest first): every page is read until it is found or a
   * short page ends the list.
   */
  async findOpenIncident(environment: string): Promise<IncidentRef | undefined> {
    for (let page = 1; page <= INCIDENT_PAGES; page++) {
      const { data } = await this.#call('looking for an open incident', 'issues: read', () =>
        this.#api.request('GET /repos/{owner}/{repo}/issues', {
          ...this.#repository,
          labels: this.#label,
          state: 'open',
          per_page: 100,
          page,
        }),
      );
      const issues = data as {
        number: number;
        html_url: string;
        body?: string | null;
        pull_request?: unknown;
      }[];
      const found = issues.find((issue) => !issue.pull_request && isIncidentOf(issue.body, environment));
      if (found) return { number: found.number, url: found.html_url };
      if (issues.length < 100) return undefined;
    }
    throw new Error(
      `looking for an open incident: more than ${INCIDENT_PAGES * 100} open issues are labelled ${this.#label}, so the open incident of ${environment} cannot be told apart from none; close the ones that are done`,
    );
  }

  async openIncident(
    environment: string,
    title: string,
    body: string,
    assignees: readonly string[],
  ): Promise<IncidentRef> {
    await this.#ensureLabel();
    const assignable = await this.#assignable(assignees);
    const create = (retries?: number) =>
      this.#api.request('POST /repos/{owner}/{repo}/issues', {
        ...this.#repository,
        title,
        body,
        labels: [this.#label, ...this.#extraLabels],
        ...(assignable.length > 0 ? { assignees: [...assignable] } : {}),
        ...(retries === undefined ? {} : { request: { retries } }),
      });
    const issue = await this.#call('opening the incident issue', 'issues: write', async () => {
      try {
        // Not retried blindly: GitHub may have created the issue before the answer failed.
        return toRef((await create(0)).data);
      } catch (error) {
        const status = statusOf(error);
        if (status !== undefined && status < 500) throw error;
        const created = await this.findOpenIncident(environment);
        if (created) {
          const answer = status ?? (error instanceof GitHubAnswerError ? 'something malformed' : 'nothing');
          this.#logger.warning(
            `GitHub answered ${answer} but had opened incident #${created.number}: using it`,
          );
          return created;
        }
        return toRef((await create()).data);
      }
    });
    return issue;
  }

  /** The logins GitHub can assign here; each one it cannot is named in a warning and left out. */
  async #assignable(assignees: readonly string[]): Promise<string[]> {
    const checked = await Promise.all(
      assignees.map(async (assignee) => {
        try {
          await this.#api.request('GET /repos/{owner}/{repo}/assignees/{assignee}', {
            ...this.#repository,
            assignee,
          });
          return assignee;
        } catch (error) {
          if (statusOf(error) !== 404)
            throw explainGitHubError(error, 'checking an assignee', this.#repository, 'issues: read');
          return undefined;
        }
      }),
    );
    const refused = assignees.filter((a) => !checked.includes(a));
    if (refused.length > 0)
      this.#logger.warning(
        `GitHub would not assign ${refused.map((a) => `@${a}`).join(', ')} (are they collaborators?); ${checked.some(Boolean) ? 'assigning the others' : 'opening the incident unassigned'}`,
      );
    return checked.filter((a): a is string => a !== undefined);
  }

  async comment(incident: IncidentRef, body: string): Promise<void> {
    await this.#call(`commenting on incident #${incident.number}`, 'issues: write', () =>
      this.#api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...this.#repository,
        issue_number: incident.number,
        body,
      }),
    );
  }

  async close(incident: IncidentRef, body: string): Promise<void> {
    await this.comment(incident, body);
    await this.#call(`closing incident #${incident.number}`, 'issues: write', () =>
      this.#api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        ...this.#repository,
        issue_number: incident.number,
        state: 'closed',
        state_reason: 'completed',
      }),
    );
  }

  #call<T>(doing: string, permission: string, call: () => Promise<T>): Promise<T> {
    return callGitHub(doing, this.#repository, permission, call);
  }

  async #ensureLabel(): Promise<void> {
    try {
      await this.#api.request('GET /repos/{owner}/{repo}/labels/{name}', {
        ...this.#repository,
        name: this.#label,
      });
      return;
    } catch (error) {
      if (statusOf(error) !== 404)
        throw explainGitHubError(error, 'reading the incident label', this.#repository, 'issues: read');
    }
    try {
      await this.#api.request('POST /repos/{owner}/{repo}/labels', {
        ...this.#repository,
        name: this.#label,
        color: 'b60205',
        description: 'A production deploy failed (opened by deploy-actions)',
      });
      this.#logger.info(`Created the label ${this.#label}`);
    } catch (error) {
      // 422: another run created it in the meantime, which is what we wanted.
      if (statusOf(error) !== 422)
        throw explainGitHubError(error, 'creating the incident label', this.#repository, 'issues: write');
    }
  }
}
