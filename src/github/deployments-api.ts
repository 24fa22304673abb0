import type { GitHubApi, RepositoryRef } from '../ports.ts';
import {
  carriesRelease,
  clip,
  type DeploymentPayload,
  type DeploymentView,
  hadItsTurn,
  isOurs,
  isTerminal,
} from './deployment-records.ts';
import { callGitHub, explainGitHubError, statusOf } from './github-errors.ts';

/** GitHub's largest page, and how many pages a history read may take (1,000 deployments). */
const PAGE = 100;
const MAX_PAGES = 10;
/** How far back the queue is read for a holder (10,000 deployments). */
const QUEUE_PAGES = 100;

/** What a waiting deploy keeps between its looks at the queue: the unfinished deployments ahead of it. */
export interface QueueMemory {
  ahead?: DeploymentView[];
}

export interface NewDeployment {
  readonly environment: string;
  readonly ref: string;
  readonly task: string;
  readonly payload: DeploymentPayload;
  readonly description: string;
  readonly transient: boolean;
  /** production_environment; GitHub's own rule when undefined. */
  readonly production?: boolean;
}

export interface NewStatus {
  readonly state: string;
  readonly description: string;
  readonly logUrl?: string;
  readonly environmentUrl?: string;
}

/**
 * The Deployments REST calls, each failure explained (repository, permission) once here:
 * deployments with their statuses, new deployments and statuses, and whether a run has ended.
 */
export class DeploymentsApi {
  readonly #api: GitHubApi;
  readonly #repository: RepositoryRef;

  constructor(api: GitHubApi, repository: RepositoryRef) {
    this.#api = api;
    this.#repository = repository;
  }

  /**
   * The environment's deployments that carry a deploy-actions release, newest first, with their
   * statuses: pages of 100 are read until `releases` of them are found (deployments of other
   * tools, GitHub Actions' own, and skipped no-ops do not count) or `MAX_PAGES` were read.
   */
  async history(environment: string, releases: number): Promise<DeploymentView[]> {
    const found: DeploymentView[] = [];
    for (let page = 1; page <= MAX_PAGES && found.filter(carriesRelease).length < releases; page++) {
      const raw = await this.#page(environment, page, PAGE);
      for (const view of raw.map(toView).filter(isOurs)) found.push(await this.#withStatuses(view, 100));
      if (raw.length < PAGE) break;
    }
    return found;
  }

  /**
   * deploy-actions' unfinished deployments of the environment older than `mine` (a waiting
   * deploy's look at the queue), newest status only. However many deployments of other tools
   * stand in front, the first look pages back until the newest of ours that had its turn (nothing
   * older can still hold the environment: its turn came once they were finished); the set ahead
   * is then fixed (every one older than `mine` existed when it was made), so later looks only
   * read the statuses of those still unfinished: no list request, one status request each.
   */
  async queueBefore(environment: string, mine: number, memory: QueueMemory): Promise<DeploymentView[]> {
    const ahead = memory.ahead
      ? await Promise.all(memory.ahead.map((d) => this.#withStatuses(d, 1)))
      : await this.#scanAhead(environment, mine);
    // Oldest first: the first is the one holding the environment.
    memory.ahead = ahead.filter((d) => !isTerminal(d)).toSorted((a, b) => a.id - b.id);
    return memory.ahead;
  }

  async #scanAhead(environment: string, mine: number): Promise<DeploymentView[]> {
    const ahead: DeploymentView[] = [];
    for (let page = 1; page <= QUEUE_PAGES; page++) {
      const raw = await this.#page(environment, page, PAGE);
      for (const deployment of raw.map(toView)) {
        if (!isOurs(deployment) || deployment.id >= mine) continue;
        const view = await this.#withStatuses(deployment, 1);
        ahead.push(view);
        if (hadItsTurn(view)) return ahead;
      }
      if (raw.length < PAGE) return ahead;
    }
    throw new Error(
      `the ${environment} environment has more than ${QUEUE_PAGES * PAGE} deployments newer than the last deploy-actions release: the queue cannot be read whole, so no release may begin. Remove old deployments of other tools (DELETE /repos/{owner}/{repo}/deployments/{id}).`,
    );
  }

  /** The newest deployment of ours whose payload carries `nonce` (a create whose answer was lost). */
  async findByNonce(environment: string, nonce: string): Promise<number | undefined> {
    const raw = await this.#page(environment, 1, PAGE);
    const made = raw.map(toView).filter((d) => isOurs(d) && d.payload.nonce === nonce);
    return made.length > 0 ? Math.max(...made.map((d) => d.id)) : undefined;
  }

  /** Every deployment of the environment, whoever made it, with its newest status (for a teardown). */
  async all(environment: string): Promise<DeploymentView[]> {
    const found: DeploymentView[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const raw = await this.#page(environment, page, PAGE);
      for (const view of raw.map(toView)) found.push(await this.#withStatuses(view, 1));
      if (raw.length < PAGE) break;
    }
    return found;
  }

  async #page(environment: string, page: number, perPage: number): Promise<RawDeployment[]> {
    const { data } = await this.#call('listing deployments', 'deployments: read', () =>
      this.#api.request('GET /repos/{owner}/{repo}/deployments', {
        ...this.#repository,
        environment,
        per_page: perPage,
        page,
      }),
    );
    return data as RawDeployment[];
  }

  async get(id: number): Promise<DeploymentView> {
    const { data } = await this.#call('reading a deployment', 'deployments: read', () =>
      this.#api.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', {
        ...this.#repository,
        deployment_id: id,
      }),
    );
    return this.#withStatuses(toView(data as RawDeployment), 100);
  }

  async create(deployment: NewDeployment): Promise<number> {
    const response = await this.#call('creating the deployment', 'deployments: write', () =>
      this.#api.request('POST /repos/{owner}/{repo}/deployments', {
        ...this.#repository,
        ref: deployment.ref,
        task: deployment.task,
        environment: deployment.environment,
        payload: deployment.payload,
        description: clip(deployment.description),
        auto_merge: false,
        required_contexts: [],
        transient_environment: deployment.transient,
        ...(deployment.production !== undefined ? { production_environment: deployment.production } : {}),
      }),
    );
    // 202: GitHub merged the default branch first (auto_merge), which deploy-actions never asks for.
    if (response.status !== 201) {
      const error = { status: response.status, response };
      throw explainGitHubError(error, 'creating the deployment', this.#repository, 'deployments: write');
    }
    return (response.data as { id: number }).id;
  }

  async postStatus(id: number, status: NewStatus): Promise<void> {
    await this.#call('setting the deployment status', 'deployments: write', () =>
      this.#api.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...this.#repository,
        deployment_id: id,
        state: status.state,
        description: status.description,
        ...(status.logUrl ? { log_url: status.logUrl } : {}),
        ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
      }),
    );
  }

  /** Whether workflow run `runId` has ended (a run that no longer exists has). */
  async runHasEnded(runId: string): Promise<boolean> {
    try {
      const run = await this.#api.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
        ...this.#repository,
        run_id: Number(runId),
      });
      return (run.data as { status?: string }).status === 'completed';
    } catch (error) {
      if (statusOf(error) === 404) return true;
      throw explainGitHubError(error, "reading the holder's workflow run", this.#repository, 'actions: read');
    }
  }

  async #withStatuses(deployment: DeploymentView, newest: number): Promise<DeploymentView> {
    const { data } = await this.#call('reading deployment statuses', 'deployments: read', () =>
      this.#api.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...this.#repository,
        deployment_id: deployment.id,
        per_page: newest,
      }),
    );
    const statuses = (data as { state: string; description: string | null; created_at: string }[]).map(
      (s) => ({
        state: s.state,
        description: s.description ?? '',
        createdAt: s.created_at,
      }),
    );
    return { ...deployment, statuses };
  }

  #call<T>(doing: string, permission: string, call: () => Promise<T>): Promise<T> {
    return callGitHub(doing, this.#repository, permission, call);
  }
}

interface RawDeployment {
  readonly id: number;
  readonly created_at: string;
  readonly payload: unknown;
}

function toView(raw: RawDeployment): DeploymentView {
  const payload = typeof raw.payload === 'object' && raw.payload ? (raw.payload as DeploymentPayload) : {};
  return { id: raw.id, createdAt: raw.created_at, payload, statuses: [] };
}
