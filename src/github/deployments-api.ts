import type { GitHubApi, RepositoryRef } from '../ports.ts';
import { type DeploymentPayload, type DeploymentView, isOurs } from './deployment-records.ts';
import { callGitHub, explainGitHubError, statusOf } from './github-errors.ts';

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

  /** The newest `limit` deployments of `environment` (only deploy-actions' unless `all`), each with its statuses. */
  async list(environment: string, limit: number, options: { all?: boolean } = {}): Promise<DeploymentView[]> {
    const { data } = await this.#call('listing deployments', 'deployments: read', () =>
      this.#api.request('GET /repos/{owner}/{repo}/deployments', {
        ...this.#repository,
        environment,
        per_page: limit,
      }),
    );
    const views = (data as RawDeployment[]).map(toView).filter((d) => options.all || isOurs(d));
    return Promise.all(views.map((d) => this.#withStatuses(d)));
  }

  async get(id: number): Promise<DeploymentView> {
    const { data } = await this.#call('reading a deployment', 'deployments: read', () =>
      this.#api.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', {
        ...this.#repository,
        deployment_id: id,
      }),
    );
    return this.#withStatuses(toView(data as RawDeployment));
  }

  async create(deployment: NewDeployment): Promise<number> {
    const response = await this.#call('creating the deployment', 'deployments: write', () =>
      this.#api.request('POST /repos/{owner}/{repo}/deployments', {
        ...this.#repository,
        ref: deployment.ref,
        task: deployment.task,
        environment: deployment.environment,
        payload: deployment.payload,
        description: deployment.description.slice(0, 140),
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

  async #withStatuses(deployment: DeploymentView): Promise<DeploymentView> {
    const { data } = await this.#call('reading deployment statuses', 'deployments: read', () =>
      this.#api.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...this.#repository,
        deployment_id: deployment.id,
        per_page: 100,
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
