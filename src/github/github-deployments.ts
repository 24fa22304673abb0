import { randomUUID } from 'node:crypto';
import { LockTimeoutError } from '../clients/file-deploy-lock.ts';
import { isProcessAlive } from '../clients/process-alive.ts';
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
import { planRollback } from '../release/plan-release.ts';
import { settleAbandoned } from '../release/release-state.ts';
import {
  type DeploymentView,
  describeOwner,
  isTerminal,
  ownerOf,
  payloadFor,
  SKIPPED,
  statusFor,
  toEnvironmentState,
} from './deployment-records.ts';
import { DeploymentsApi } from './deployments-api.ts';

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

/** How many releases (deploy-actions' deployments that carry one) make an environment's state. */
const HISTORY_RELEASES = 30;
/** A waiting deploy looks at the queue less often the longer it waits, up to this (the request budget). */
const MAX_POLL_MS = 30_000;

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
  readonly #gh: DeploymentsApi;
  #held: { id: number; version: string | undefined; bound: boolean } | undefined;
  /** The nonce of the lock's deployment (see DeploymentPayload.nonce). */
  #nonce: string | undefined;
  /** Deployment id by release (version and start), and the status last posted for each id. */
  readonly #ids = new Map<string, number>();
  readonly #posted = new Map<number, string>();
  /** The release status each deployment id is known to have (read, or written by this run). */
  readonly #seen = new Map<number, string>();

  constructor(options: GitHubDeploymentsOptions) {
    this.#o = options;
    this.#gh = new DeploymentsApi(options.api, options.repository);
    this.store = { read: (environment) => this.#read(environment), write: (state) => this.#write(state) };
    this.lock = {
      acquire: (environment, owner, options) => this.#acquire(environment, owner, options),
      holder: async (environment) => {
        const [first] = (await this.#gh.queueBefore(environment, Number.MAX_SAFE_INTEGER, new Set()))
          .filter((d) => !isTerminal(d))
          .toSorted((a, b) => a.id - b.id);
        return first ? ownerOf(first) : undefined;
      },
      releaseToken: (_environment, token) => this.#releaseKilled(Number(token)),
    };
  }

  async #read(environment: string): Promise<EnvironmentState> {
    // The deployment this run holds the lock with is no release until the store records one on it.
    const held = this.#held;
    const deployments = (await this.#gh.history(environment, HISTORY_RELEASES)).filter(
      (d) => !held || held.bound || d.id !== held.id,
    );
    for (const d of deployments) {
      const deciding = d.statuses.find((s) => s.state !== 'inactive');
      if (deciding) this.#posted.set(d.id, `${deciding.state} ${deciding.description}`);
    }
    const state = toEnvironmentState(environment, deployments);
    for (const [index, record] of state.releases.entries()) {
      const live = index === state.releases.length - 1 && state.current === record.version;
      this.#seen.set(Number(record.id), `${record.status}${live ? ' live' : ''}`);
    }
    return state;
  }

  async #write(state: EnvironmentState): Promise<void> {
    for (const [index, record] of state.releases.entries()) {
      const id = record.id ? Number(record.id) : await this.#deploymentFor(state.environment, record);
      const newest = index === state.releases.length - 1;
      const live = newest && state.current === record.version;
      if (this.#seen.get(id) === `${record.status}${live ? ' live' : ''}`) continue;
      const { state: status, description } = statusFor(record, live);
      if (this.#posted.get(id) !== `${status} ${description}`)
        await this.#postStatus(id, status, description);
      this.#seen.set(id, `${record.status}${live ? ' live' : ''}`);
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
      id = await this.#create(environment, record.version, undefined, record.kind ?? 'deploy');
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
    this.#nonce = randomUUID();
    const id = await this.#create(environment, version ?? '', owner, this.#o.plan.kind, this.#nonce);
    this.#held = { id, version, bound: false };
    await this.#postStatus(id, 'queued', 'waiting for older deploys of this environment');
    const deadline = this.#o.clock.now() + options.timeoutMs;
    const finished = new Set<number>();
    let told = 0;
    let pollMs = this.#o.pollMs ?? 5000;
    try {
      for (;;) {
        const ahead = (await this.#gh.queueBefore(environment, id, finished)).filter((d) => !isTerminal(d));
        const holding = await this.#dropAbandoned(ahead, id);
        if (holding.length === 0) break;
        const holder = ownerOf(holding[0]!);
        if (told++ === 0) options.onWait?.(holder);
        if (this.#o.clock.now() >= deadline) {
          throw new LockTimeoutError(
            `"${environment}" is still locked after ${formatDuration(options.timeoutMs)} by deployment ${holding[0]!.id} (${describeOwner(holder)}; ${holding.length - 1} more ahead). An abandoned holder is released once its workflow run has ended.`,
          );
        }
        await this.#o.clock.sleep(
          Math.min(pollMs, Math.max(0, deadline - this.#o.clock.now())),
          options.signal,
        );
        // Each look costs a list request and one status request per unfinished deployment ahead:
        // backing off keeps a long wait within a GITHUB_TOKEN's 1,000 requests an hour.
        pollMs = Math.min(Math.max(pollMs, MAX_POLL_MS), pollMs * 1.5);
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
    // It stays queued until a release begins on it (in_progress, deploying): a refused or no-op
    // deploy never claims to have deployed anything.
    return {
      token: String(id),
      release: async () => {
        await this.#finishUnbound(id, 'inactive', `${SKIPPED}: nothing was deployed`);
        this.#held = undefined;
      },
    };
  }

  /** The deployments ahead that still hold the environment; abandoned ones are marked error. */
  async #dropAbandoned(ahead: readonly DeploymentView[], mine: number): Promise<DeploymentView[]> {
    const holding: DeploymentView[] = [];
    for (const deployment of ahead) {
      const why = await this.#abandonment(deployment, mine);
      if (!why) {
        holding.push(deployment);
        continue;
      }
      this.#o.logger.warning(
        `Deployment ${deployment.id} (${describeOwner(ownerOf(deployment))}) is abandoned: ${why}; marking it error`,
      );
      const started = deployment.statuses[0]?.state === 'in_progress';
      await this.#postStatus(
        deployment.id,
        'error',
        `${started ? 'interrupted (live)' : SKIPPED}: abandoned, ${why}`,
      );
    }
    return holding;
  }

  async #abandonment(deployment: DeploymentView, id: number): Promise<string | undefined> {
    const { payload } = deployment;
    if (payload.nonce && payload.nonce === this.#nonce)
      return `it is a twin of deployment ${id}, made when GitHub had done a create request that was then retried`;
    const mine = this.#o.run;
    if (payload.runId) {
      if (payload.runId === mine.runId) {
        return payload.runAttempt !== mine.runAttempt
          ? `attempt ${payload.runAttempt} of this run ended`
          : undefined;
      }
      return (await this.#gh.runHasEnded(payload.runId))
        ? `its workflow run ${payload.runId} has ended`
        : undefined;
    }
    if (payload.host === mine.host && typeof payload.pid === 'number' && !isProcessAlive(payload.pid)) {
      return `its process ${payload.pid} on ${payload.host} is gone`;
    }
    return undefined;
  }

  async #rollbackTarget(environment: string): Promise<string | undefined> {
    // The core's own choice, as the rollback will make it once it holds the lock.
    const state = settleAbandoned(await this.#read(environment), new Date(this.#o.clock.now()).toISOString());
    const plan = planRollback(state, { force: true, because: 'a rollback was asked for' });
    return plan.kind === 'release' ? plan.version : undefined;
  }

  async #create(
    environment: string,
    version: string,
    owner?: Omit<LockOwner, 'since'>,
    kind: 'deploy' | 'rollback' = this.#o.plan.kind,
    nonce: string = randomUUID(),
  ): Promise<number> {
    const { run, plan } = this.#o;
    const at = new Date(this.#o.clock.now()).toISOString();
    const payload = payloadFor(version, kind, run, at, owner, nonce);
    return this.#gh.create({
      environment,
      ref: plan.ref,
      task: kind === 'rollback' ? 'deploy:rollback' : 'deploy',
      payload,
      description: `${kind} ${version || '(last good version)'} by deploy-actions`,
      transient: this.#o.transient ?? false,
      ...(this.#o.production !== undefined ? { production: this.#o.production } : {}),
    });
  }

  async #postStatus(id: number, state: string, description: string): Promise<void> {
    await this.#gh.postStatus(id, {
      state,
      description: this.#o.redact ? this.#o.redact(description) : description,
      ...(this.#o.run.runUrl ? { logUrl: this.#o.run.runUrl } : {}),
      ...(this.#o.environmentUrl ? { environmentUrl: this.#o.environmentUrl } : {}),
    });
    this.#posted.set(id, `${state} ${description}`);
  }

  /**
   * A post step after its main step was killed holding deployment `id`: a release begun on it
   * (in_progress) may be live and is not verified; one that never began deployed nothing.
   */
  async #releaseKilled(id: number): Promise<boolean> {
    const deployment = await this.#gh.get(id);
    if (isTerminal(deployment)) return false;
    const began = deployment.statuses[0]?.state === 'in_progress';
    await this.#postStatus(
      id,
      'error',
      began
        ? 'interrupted (live): the deploy step was killed'
        : `${SKIPPED}: the deploy step was killed before it deployed`,
    );
    return true;
  }

  /** Ends the lock's deployment when no release was recorded on it (unchanged, refused). */
  async #finishUnbound(id: number, state: string, description: string): Promise<boolean> {
    if (this.#held?.id === id && this.#held.bound) return false;
    if (isTerminal(await this.#gh.get(id))) return false;
    await this.#postStatus(id, state, description);
    return true;
  }
}
