import { randomUUID } from 'node:crypto';
import { isProcessAlive } from '../clients/process-alive.ts';
import { waitForTurn } from '../clients/wait-for-turn.ts';
import type { EnvironmentState, LockOwner, ReleaseBackend, ReleaseSession } from '../ports.ts';
import { settleAbandoned } from '../release/release-state.ts';
import {
  type DeploymentView,
  describeOwner,
  isTerminal,
  ownerOf,
  SKIPPED,
  statusFor,
  toEnvironmentState,
  toRecord,
} from './deployment-records.ts';
import type { QueueMemory } from './deployments-api.ts';
import { GitHubReleaseSession } from './github-release-session.ts';
import { type GitHubReleaseOptions, ReleaseDeployments } from './release-deployments.ts';

/** A waiting release looks at the queue less often the longer it waits, up to this (the request budget). */
const MAX_POLL_MS = 30_000;

/**
 * An environment's releases in GitHub Deployments, shared by every runner. Beginning a release
 * creates its deployment (queued): the queue is the environment's deployments in creation order,
 * and a release's turn comes once every older one is finished. A holder whose workflow run has
 * ended (or, from the CLI, whose process on this host is gone), and the twin a retried create
 * left, are marked `error` and passed. The turn itself is a GitHubReleaseSession.
 */
export class GitHubReleaseBackend implements ReleaseBackend {
  readonly #gh: ReleaseDeployments;

  constructor(options: GitHubReleaseOptions) {
    this.#gh = new ReleaseDeployments(options);
  }

  async read(environment: string): Promise<EnvironmentState> {
    return toEnvironmentState(environment, await this.#gh.history(environment));
  }

  async holder(environment: string): Promise<LockOwner | undefined> {
    const [first] = await this.#gh.api.queueBefore(environment, Number.MAX_SAFE_INTEGER, {});
    return first ? ownerOf(first) : undefined;
  }

  async begin(
    ...[environment, owner, options]: Parameters<ReleaseBackend['begin']>
  ): Promise<ReleaseSession> {
    const { clock } = this.#gh.options;
    const { plan } = options;
    const nonce = randomUUID();
    // The turn is queued with what is known before the record is read: a version the caller
    // named; a rollback to "the last good one" or a promotion learn theirs under the lock, and
    // their release is then a deployment of its own (the record is never read twice to guess).
    const id = await this.#gh.create(environment, {
      version: plan.version ?? '',
      kind: plan.kind,
      owner,
      nonce,
    });
    await this.#gh.postStatus(id, 'queued', 'waiting for older deploys of this environment');
    const queue: QueueMemory = {};
    const firstPollMs = this.#gh.options.pollMs ?? 5000;
    try {
      await waitForTurn<DeploymentView>(
        {
          ahead: async () =>
            this.#dropAbandoned(await this.#gh.api.queueBefore(environment, id, queue), id, nonce),
          owner: ownerOf,
          key: (deployment) => String(deployment.id),
          describeHolder: (deployment, more) =>
            `deployment ${deployment.id} (${describeOwner(ownerOf(deployment))}; ${more} more ahead). An abandoned holder is released once its workflow run has ended.`,
          // After the first look (which pages back to the newest release that had its turn), each
          // costs one status request per unfinished deployment ahead; backing off keeps a long wait
          // within a GITHUB_TOKEN's 1,000 requests an hour.
          nextPollMs: (last) =>
            last === undefined ? firstPollMs : Math.min(Math.max(last, MAX_POLL_MS), last * 1.5),
          pause: (ms, signal) => clock.sleep(ms, signal),
        },
        { environment, clock, ...options },
      );
    } catch (error) {
      const why = options.signal?.aborted
        ? 'cancelled while waiting for the lock'
        : 'gave up waiting for the lock';
      await this.#gh.postStatus(id, 'error', `${SKIPPED}: ${why}`).catch(() => {});
      throw error;
    }
    // It stays queued until a release begins on it (in_progress, deploying): a refused or no-op
    // turn never claims to have deployed anything.
    return new GitHubReleaseSession(this.#gh, environment, id, plan);
  }

  /**
   * A post step after its main step was killed holding deployment `token`: a release begun on it
   * (in_progress) may be live and is not verified; one that never began deployed nothing. The
   * status says so; GitHub's record needs no other settling.
   */
  async endAbandoned(_environment: string, token: string): Promise<boolean> {
    const id = Number(token);
    const deployment = await this.#gh.api.get(id);
    if (isTerminal(deployment)) return false;
    const began = deployment.statuses[0]?.state === 'in_progress';
    await this.#gh.postStatus(
      id,
      'error',
      began
        ? 'interrupted (live): the deploy step was killed'
        : `${SKIPPED}: the deploy step was killed before it deployed`,
    );
    return true;
  }

  /** The deployments ahead that still hold the environment; abandoned ones are marked error. */
  async #dropAbandoned(
    ahead: readonly DeploymentView[],
    mine: number,
    nonce: string,
  ): Promise<DeploymentView[]> {
    const holding: DeploymentView[] = [];
    for (const deployment of ahead) {
      const why = await this.#abandonment(deployment, mine, nonce);
      if (!why) {
        holding.push(deployment);
        continue;
      }
      this.#gh.options.logger.warning(
        `Deployment ${deployment.id} (${describeOwner(ownerOf(deployment))}) is abandoned: ${why}; marking it error`,
      );
      const settled = abandonedStatus(deployment, why, new Date(this.#gh.options.clock.now()).toISOString());
      await this.#gh.postStatus(deployment.id, settled.state, settled.description);
    }
    return holding;
  }

  async #abandonment(deployment: DeploymentView, id: number, nonce: string): Promise<string | undefined> {
    const { payload } = deployment;
    if (payload.nonce === nonce)
      return `it is a twin of deployment ${id}, made when GitHub had done a create request that was then retried`;
    const mine = this.#gh.options.run;
    if (payload.runId) {
      if (payload.runId === mine.runId)
        return payload.runAttempt !== mine.runAttempt
          ? `attempt ${payload.runAttempt} of this run ended`
          : undefined;
      return (await this.#gh.api.runHasEnded(payload.runId))
        ? `its workflow run ${payload.runId} has ended`
        : undefined;
    }
    if (payload.host === mine.host && typeof payload.pid === 'number' && !isProcessAlive(payload.pid))
      return `its process ${payload.pid} on ${payload.host} is gone`;
    return undefined;
  }
}

/**
 * The status that settles an abandoned deployment, by the same rule as the file record
 * (settleAbandoned): a release that never began deployed nothing (skipped); one killed before its
 * blue-green switch never reached a user (never live, its slot kept); any other may be live and
 * is not verified (its slot and phase kept, so the next release reads the proxy before it trusts).
 */
function abandonedStatus(
  deployment: DeploymentView,
  why: string,
  at: string,
): { state: string; description: string } {
  const record = deployment.statuses[0]?.state === 'in_progress' ? toRecord(deployment) : undefined;
  if (!record) return { state: 'error', description: `${SKIPPED}: abandoned, ${why}` };
  const settled = settleAbandoned({ environment: '', releases: [record] }, at, `abandoned, ${why}`);
  const ended = settled.releases.at(-1)!;
  return statusFor(ended, settled.current === ended.version);
}
