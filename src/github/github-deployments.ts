import { LockTimeoutError } from '../clients/file-deploy-lock.ts';
import { isProcessAlive } from '../clients/process-alive.ts';
import { lastGoodBefore } from '../deploy/state-changes.ts';
import { formatDuration } from '../durations.ts';
import { InterruptedError } from '../errors.ts';
import type {
  Clock,
  DeployLock,
  EnvironmentState,
  GitHubApi,
  HeldLock,
  LockOwner,
  Logger,
  ReleaseRecord,
  RepositoryRef,
  RunContext,
  StateStore,
} from '../ports.ts';
import {
  type DeploymentPayload,
  type DeploymentView,
  isOurs,
  isTerminal,
  SKIPPED,
  statusFor,
  toEnvironmentState,
} from './deployment-records.ts';
import { explainGitHubError, statusOf } from './github-errors.ts';

export interface GitHubDeploymentsOptions {
  readonly api: GitHubApi;
  readonly repository: RepositoryRef;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly run: RunContext;
  /** What this run deploys: the ref GitHub records, and the version (unknown for a rollback to "last good"). */
  readonly plan: { readonly ref: string; readonly kind: 'deploy' | 'rollback'; readonly version?: string };
  readonly environmentUrl?: string;
  readonly transient?: boolean;
  /** Sent as production_environment when set; GitHub's own rule otherwise. */
  readonly production?: boolean;
  /** How often a waiting deploy looks at the queue again. Default 5 s. */
  readonly pollMs?: number;
  /** Removes secrets from text sent to GitHub (a failure's reason may quote a command's output). */
  readonly redact?: (text: string) => string;
}

/** How many of an environment's newest deployments make its state (GitHub lists newest first). */
const HISTORY_DEPLOYMENTS = 30;

/**
 * State and lock of an environment in GitHub Deployments, shared by every runner. Taking the
 * lock creates this run's deployment (queued): the queue is the environment's deployments in
 * creation order, and a deploy proceeds once every older one is finished. A holder whose
 * workflow run has ended (or, from the CLI, whose process on this host is gone) is abandoned
 * and marked `error`. The deployment taken with the lock becomes the release's record.
 */
export class GitHubDeployments {
  readonly store: StateStore;
  readonly lock: DeployLock;
  readonly #o: GitHubDeploymentsOptions;
  #held: { id: number; version: string | undefined; bound: boolean } | undefined;
  /** Deployment id by release (version and start), and the status last posted for each id. */
  readonly #ids = new Map<string, number>();
  readonly #posted = new Map<number, string>();
  /** The release status each deployment id is known to have (read, or written by this run). */
  readonly #seen = new Map<number, ReleaseRecord['status']>();

  constructor(options: GitHubDeploymentsOptions) {
    this.#o = options;
    this.store = { read: (environment) => this.#read(environment), write: (state) => this.#write(state) };
    this.lock = {
      acquire: (environment, owner, options) => this.#acquire(environment, owner, options),
      releaseToken: (_environment, token) =>
        this.#finishUnbound(Number(token), 'error', 'interrupted: the deploy step was killed'),
    };
  }

  async #read(environment: string): Promise<EnvironmentState> {
    // The deployment this run holds the lock with is no release until the store records one on it.
    const held = this.#held;
    const deployments = (await this.#list(environment)).filter(
      (d) => !held || held.bound || d.id !== held.id,
    );
    for (const d of deployments) {
      const deciding = d.statuses.find((s) => s.state !== 'inactive');
      if (deciding) this.#posted.set(d.id, `${deciding.state} ${deciding.description}`);
    }
    const state = toEnvironmentState(environment, deployments);
    for (const record of state.releases) this.#seen.set(Number(record.id), record.status);
    return state;
  }

  async #write(state: EnvironmentState): Promise<void> {
    for (const [index, record] of state.releases.entries()) {
      const id = record.id ? Number(record.id) : await this.#deploymentFor(state.environment, record);
      if (this.#seen.get(id) === record.status) continue;
      const newest = index === state.releases.length - 1;
      const { state: status, description } = statusFor(record, newest && state.current === record.version);
      if (this.#posted.get(id) !== `${status} ${description}`)
        await this.#postStatus(id, status, description);
      this.#seen.set(id, record.status);
    }
  }

  /** The deployment of a release this run started: the one taken with the lock, or a new one. */
  async #deploymentFor(environment: string, record: ReleaseRecord): Promise<number> {
    const key = `${record.version}@${record.startedAt}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const held = this.#held;
    let id: number;
    if (held && !held.bound && held.version === record.version) {
      held.bound = true;
      id = held.id;
    } else {
      id = await this.#create(environment, record.version);
      if (held && !held.bound) {
        // Someone deployed between planning and locking: the lock's deployment records nothing.
        held.bound = true;
        await this.#postStatus(
          held.id,
          'inactive',
          `${SKIPPED}: planned ${held.version ?? 'nothing'}, deployed ${record.version}`,
        );
      }
    }
    this.#ids.set(key, id);
    return id;
  }

  async #acquire(
    environment: string,
    owner: Omit<LockOwner, 'since'>,
    options: { timeoutMs: number; signal?: AbortSignal; onWait?: (holder: LockOwner) => void },
  ): Promise<HeldLock> {
    const version =
      this.#o.plan.version ??
      (this.#o.plan.kind === 'rollback' ? await this.#rollbackTarget(environment) : undefined);
    const id = await this.#create(environment, version ?? '', owner);
    this.#held = { id, version, bound: false };
    await this.#postStatus(id, 'queued', 'waiting for older deploys of this environment');
    const deadline = this.#o.clock.now() + options.timeoutMs;
    let told = 0;
    try {
      for (;;) {
        const ahead = (await this.#list(environment)).filter((d) => d.id < id && !isTerminal(d));
        const holding = await this.#dropAbandoned(ahead);
        if (holding.length === 0) break;
        const holder = ownerOf(holding[0]!);
        if (told++ === 0) options.onWait?.(holder);
        if (this.#o.clock.now() >= deadline) {
          throw new LockTimeoutError(
            `"${environment}" is still locked after ${formatDuration(options.timeoutMs)} by deployment ${holding[0]!.id} (${describe(holder)}; ${holding.length - 1} more ahead). An abandoned holder is released once its workflow run has ended.`,
          );
        }
        await this.#o.clock.sleep(this.#o.pollMs ?? 5000, options.signal);
      }
    } catch (error) {
      const cancelled = options.signal?.aborted;
      await this.#postStatus(
        id,
        'error',
        cancelled
          ? `${SKIPPED}: cancelled while waiting for the lock`
          : `${SKIPPED}: gave up waiting for the lock`,
      ).catch(() => {});
      if (cancelled)
        throw options.signal?.reason instanceof Error ? options.signal.reason : new InterruptedError();
      throw error;
    }
    await this.#postStatus(id, 'in_progress', `deploying ${version || '(to be decided)'}`);
    return {
      token: String(id),
      release: async () => {
        await this.#finishUnbound(id, 'inactive', `${SKIPPED}: nothing was deployed`);
        this.#held = undefined;
      },
    };
  }

  /** The deployments ahead that still hold the environment; abandoned ones are marked error. */
  async #dropAbandoned(ahead: readonly DeploymentView[]): Promise<DeploymentView[]> {
    const holding: DeploymentView[] = [];
    for (const deployment of ahead) {
      const why = await this.#abandonment(deployment);
      if (!why) {
        holding.push(deployment);
        continue;
      }
      this.#o.logger.warning(
        `Deployment ${deployment.id} (${describe(ownerOf(deployment))}) is abandoned: ${why}; marking it error`,
      );
      const started = deployment.statuses[0]?.state === 'in_progress';
      await this.#postStatus(
        deployment.id,
        'error',
        `${started ? 'interrupted' : SKIPPED}: abandoned, ${why}`,
      );
    }
    return holding;
  }

  async #abandonment(deployment: DeploymentView): Promise<string | undefined> {
    const { payload } = deployment;
    const mine = this.#o.run;
    if (payload.runId) {
      if (payload.runId === mine.runId) {
        return payload.runAttempt !== mine.runAttempt
          ? `attempt ${payload.runAttempt} of this run ended`
          : undefined;
      }
      let status: string | undefined;
      try {
        const run = await this.#o.api.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
          ...this.#o.repository,
          run_id: Number(payload.runId),
        });
        status = (run.data as { status?: string }).status;
      } catch (error) {
        // A run that no longer exists has certainly ended.
        if (statusOf(error) !== 404)
          throw explainGitHubError(
            error,
            "reading the holder's workflow run",
            this.#o.repository,
            'actions: read',
          );
        status = 'completed';
      }
      return status === 'completed' ? `its workflow run ${payload.runId} has ended` : undefined;
    }
    if (payload.host === mine.host && typeof payload.pid === 'number' && !isProcessAlive(payload.pid)) {
      return `its process ${payload.pid} on ${payload.host} is gone`;
    }
    return undefined;
  }

  async #rollbackTarget(environment: string): Promise<string | undefined> {
    const state = await this.#read(environment);
    return lastGoodBefore(state, state.current);
  }

  async #create(environment: string, version: string, owner?: Omit<LockOwner, 'since'>): Promise<number> {
    const { run, plan } = this.#o;
    const digest = /@(sha256:[0-9a-f]{64})$/.exec(version)?.[1];
    const payload: DeploymentPayload = {
      'deploy-actions': 1,
      version,
      ...(digest ? { digest } : {}),
      kind: plan.kind,
      ...(run.actor ? { actor: run.actor } : {}),
      ...(run.runner ? { runner: run.runner } : {}),
      host: owner?.host ?? run.host,
      pid: owner?.pid ?? run.pid,
      ...(run.runId ? { runId: run.runId, runAttempt: run.runAttempt ?? '1' } : {}),
      ...(run.runUrl ? { runUrl: run.runUrl } : {}),
      startedAt: new Date(this.#o.clock.now()).toISOString(),
    };
    const response = await this.#call('creating the deployment', 'deployments: write', () =>
      this.#o.api.request('POST /repos/{owner}/{repo}/deployments', {
        ...this.#o.repository,
        ref: plan.ref,
        task: plan.kind === 'rollback' ? 'deploy:rollback' : 'deploy',
        environment,
        payload,
        description: `${plan.kind} ${version || '(last good version)'} by deploy-actions`.slice(0, 140),
        auto_merge: false,
        required_contexts: [],
        transient_environment: this.#o.transient ?? false,
        ...(this.#o.production !== undefined ? { production_environment: this.#o.production } : {}),
      }),
    );
    if (response.status !== 201) {
      throw explainGitHubError(
        { status: response.status, response },
        'creating the deployment',
        this.#o.repository,
        'deployments: write',
      );
    }
    return (response.data as { id: number }).id;
  }

  async #postStatus(id: number, state: string, description: string): Promise<void> {
    await this.#call('setting the deployment status', 'deployments: write', () =>
      this.#o.api.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        ...this.#o.repository,
        deployment_id: id,
        state,
        description: this.#o.redact ? this.#o.redact(description) : description,
        ...(this.#o.run.runUrl ? { log_url: this.#o.run.runUrl } : {}),
        ...(this.#o.environmentUrl ? { environment_url: this.#o.environmentUrl } : {}),
      }),
    );
    this.#posted.set(id, `${state} ${description}`);
  }

  /** Ends the lock's deployment when no release was recorded on it (unchanged, refused, killed). */
  async #finishUnbound(id: number, state: string, description: string): Promise<boolean> {
    if (this.#held?.id === id && this.#held.bound) return false;
    const [deployment] = (await this.#list(undefined, id)) ?? [];
    if (deployment && isTerminal(deployment)) return false;
    await this.#postStatus(id, state, description);
    return true;
  }

  /** The newest deployments of `environment` made by deploy-actions, each with its statuses. */
  async #list(environment: string | undefined, only?: number): Promise<DeploymentView[]> {
    const raw = only
      ? [
          (
            await this.#call('reading a deployment', 'deployments: read', () =>
              this.#o.api.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', {
                ...this.#o.repository,
                deployment_id: only,
              }),
            )
          ).data,
        ]
      : ((
          await this.#call('listing deployments', 'deployments: read', () =>
            this.#o.api.request('GET /repos/{owner}/{repo}/deployments', {
              ...this.#o.repository,
              environment,
              per_page: HISTORY_DEPLOYMENTS,
            }),
          )
        ).data as unknown[]);
    const deployments = (raw as { id: number; created_at: string; payload: unknown }[]).map((d) => ({
      id: d.id,
      createdAt: d.created_at,
      payload: (typeof d.payload === 'object' && d.payload ? d.payload : {}) as DeploymentPayload,
      statuses: [] as DeploymentView['statuses'],
    }));
    return Promise.all(
      deployments
        .filter((d) => isOurs(d) || only !== undefined)
        .map(async (d) => {
          const { data } = await this.#call('reading deployment statuses', 'deployments: read', () =>
            this.#o.api.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
              ...this.#o.repository,
              deployment_id: d.id,
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
          return { ...d, statuses };
        }),
    );
  }

  async #call<T>(doing: string, permission: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw explainGitHubError(error, doing, this.#o.repository, permission);
    }
  }
}

function ownerOf(deployment: DeploymentView): LockOwner {
  const { payload } = deployment;
  return {
    pid: payload.pid ?? 0,
    host: payload.host ?? 'unknown host',
    ...(payload.actor ? { actor: payload.actor } : {}),
    ...(payload.runUrl ? { runUrl: payload.runUrl } : {}),
    since: payload.startedAt ?? deployment.createdAt,
  };
}

function describe(owner: LockOwner): string {
  const who = owner.actor ? `${owner.actor}, ` : '';
  return `${who}${owner.runUrl ?? `pid ${owner.pid} on ${owner.host}`}, since ${owner.since}`;
}
