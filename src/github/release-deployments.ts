import { randomUUID } from 'node:crypto';
import { describeError } from '../errors.ts';
import type { Clock, GitHubApi, LockOwner, Logger, RepositoryRef, RunContext, TurnPlan } from '../ports.ts';
import { type DeploymentView, payloadFor } from './deployment-records.ts';
import { DeploymentsApi } from './deployments-api.ts';
import { statusOf } from './github-errors.ts';

export interface GitHubReleaseOptions {
  readonly api: GitHubApi;
  readonly repository: RepositoryRef;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly run: RunContext;
  /** The ref GitHub records on every deployment this run makes (a commit SHA, branch or tag). */
  readonly ref: string;
  readonly environmentUrl?: string;
  readonly transient?: boolean;
  /** Sent as production_environment when set; GitHub's own rule otherwise. */
  readonly production?: boolean;
  /** How often a waiting release looks at the queue again (it backs off from there). Default 5 s. */
  readonly pollMs?: number;
  /** Text sent to GitHub passes through this (the record boundary). */
  readonly redact?: (text: string) => string;
}

/** How many releases (deploy-actions' deployments that carry one) make an environment's state. */
export const HISTORY_RELEASES = 30;

/**
 * The writes a release makes to GitHub Deployments, in one place: a deployment created for a
 * release (with the run, the owner and a nonce in its payload), and statuses with the run's log
 * URL and the environment's URL, through the record boundary.
 */
export class ReleaseDeployments {
  readonly options: GitHubReleaseOptions;
  readonly api: DeploymentsApi;

  constructor(options: GitHubReleaseOptions) {
    this.options = options;
    this.api = new DeploymentsApi(options.api, options.repository);
  }

  history(environment: string): Promise<DeploymentView[]> {
    return this.api.history(environment, HISTORY_RELEASES);
  }

  async create(
    environment: string,
    release: {
      version: string;
      kind: TurnPlan['kind'];
      owner?: Omit<LockOwner, 'since'>;
      nonce?: string;
    },
  ): Promise<number> {
    const { run, ref, clock } = this.options;
    const at = new Date(clock.now()).toISOString();
    const nonce = release.nonce ?? randomUUID();
    const payload = payloadFor(release.version, release.kind, run, at, release.owner, nonce);
    try {
      return await this.api.create({
        environment,
        ref,
        task: release.kind === 'deploy' ? 'deploy' : `deploy:${release.kind}`,
        payload,
        description: `${release.kind}${release.version ? ` ${release.version}` : ''} by deploy-actions`,
        transient: this.options.transient ?? false,
        ...(this.options.production !== undefined ? { production: this.options.production } : {}),
      });
    } catch (error) {
      return this.#madeAnyway(environment, nonce, error);
    }
  }

  /**
   * A create whose answer could not be read (HTML from a proxy, cut short, a 5xx after GitHub
   * acted) may still have made the deployment: found by its nonce, it is ours (the newest, when a
   * retry made twins, which the queue passes as such); a refusal (4xx) made nothing.
   */
  async #madeAnyway(environment: string, nonce: string, error: unknown): Promise<number> {
    const status = statusOf(error);
    if (status !== undefined && status >= 400 && status < 500) throw error;
    const made = await this.api.findByNonce(environment, nonce).catch(() => undefined);
    if (made === undefined) throw error;
    this.options.logger.warning(
      `GitHub made deployment ${made} but its answer could not be read (${describeError(error)}): going on with it`,
    );
    return made;
  }

  async postStatus(id: number, state: string, description: string): Promise<void> {
    const { redact, run, environmentUrl } = this.options;
    await this.api.postStatus(id, {
      state,
      description: redact ? redact(description) : description,
      ...(run.runUrl ? { logUrl: run.runUrl } : {}),
      ...(environmentUrl ? { environmentUrl } : {}),
    });
  }
}
