import type { EnvironmentState, ReleaseRecord, ReleaseSession, TurnPlan } from '../ports.ts';
import {
  decidingStatus,
  hostStatus,
  isTerminal,
  markersOf,
  SKIPPED,
  statusFor,
  toEnvironmentState,
} from './deployment-records.ts';
import type { ReleaseDeployments } from './release-deployments.ts';

/**
 * A release's turn on an environment in GitHub Deployments: the deployment it queued with (its
 * token). The first release recorded on the turn is bound to that deployment; a second one (the
 * pipeline's rollback) gets a deployment of its own. Statuses are posted only when a release's
 * status (or whether it is live) changed.
 */
export class GitHubReleaseSession implements ReleaseSession {
  readonly token: string;
  readonly #gh: ReleaseDeployments;
  readonly #environment: string;
  readonly #id: number;
  /** What the turn was queued for (its version unknown for a rollback to "last good" or a promotion). */
  readonly #plan: TurnPlan;
  #bound = false;
  /** Deployment id by release (version and start), and what each deployment is known to say. */
  readonly #ids = new Map<string, number>();
  readonly #seen = new Map<number, string>();
  readonly #posted = new Map<number, string>();
  /** What the newest status naming each host says (read, or posted since). */
  readonly #hostsSaid = new Map<string, string>();

  constructor(gh: ReleaseDeployments, environment: string, id: number, plan: TurnPlan) {
    this.#gh = gh;
    this.#environment = environment;
    this.#id = id;
    this.#plan = plan;
    this.token = String(id);
  }

  async read(): Promise<EnvironmentState> {
    // The deployment queued with is no release until one is recorded on it.
    const deployments = (await this.#gh.history(this.#environment)).filter(
      (d) => this.#bound || d.id !== this.#id,
    );
    for (const d of deployments) {
      const deciding = decidingStatus(d);
      if (deciding) this.#posted.set(d.id, `${deciding.state} ${deciding.description}`);
    }
    const state = toEnvironmentState(this.#environment, deployments);
    for (const [name, host] of Object.entries(state.hosts ?? {}))
      this.#hostsSaid.set(name, hostStatus(name, host));
    for (const [index, record] of state.releases.entries())
      this.#seen.set(
        Number(record.id),
        seenKey(record, index === state.releases.length - 1 && state.current === record.version),
      );
    return state;
  }

  async write(state: EnvironmentState): Promise<void> {
    await this.#postHosts(state);
    for (const [index, record] of state.releases.entries()) {
      const id = record.id ? Number(record.id) : await this.#deploymentFor(record);
      const live = index === state.releases.length - 1 && state.current === record.version;
      if (this.#seen.get(id) === seenKey(record, live)) continue;
      const { state: status, description } = statusFor(record, live);
      if (this.#posted.get(id) !== `${status} ${description}`) await this.#post(id, status, description);
      this.#seen.set(id, seenKey(record, live));
    }
  }

  /**
   * Rolling: each host's change, as an in_progress status on the release's deployment, posted
   * before the release's own status so a final one stays the newest. A host back in rotation is
   * said at once; one left out, when the release ends (a status per change would spend GitHub's
   * rate of writes on hosts passing through).
   */
  async #postHosts(state: EnvironmentState): Promise<void> {
    const newest = state.releases.at(-1);
    if (!newest || !state.hosts) return;
    const ending = newest.status !== 'deploying';
    for (const [name, host] of Object.entries(state.hosts)) {
      if (!host.inRotation && !ending) continue;
      const description = hostStatus(name, host);
      if (this.#hostsSaid.get(name) === description) continue;
      const id = newest.id ? Number(newest.id) : await this.#deploymentFor(newest);
      await this.#post(id, 'in_progress', description);
      this.#hostsSaid.set(name, description);
    }
  }

  /** A turn that recorded no release (unchanged, refused) leaves its deployment inactive, as skipped. */
  async end(): Promise<void> {
    if (this.#bound || isTerminal(await this.#gh.api.get(this.#id))) return;
    await this.#post(this.#id, 'inactive', `${SKIPPED}: nothing was deployed`);
  }

  async #deploymentFor(record: ReleaseRecord): Promise<number> {
    const key = `${record.version}@${record.startedAt}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    let id: number;
    if (!this.#bound && this.#plan.version === record.version) {
      this.#bound = true;
      id = this.#id;
    } else {
      id = await this.#gh.create(this.#environment, {
        version: record.version,
        kind: record.kind ?? 'deploy',
      });
      if (!this.#bound) {
        // The version was learnt under the lock (a rollback to "last good", a promotion), or
        // the plan changed once the turn came: the queued deployment was the turn, not the release.
        this.#bound = true;
        const planned = this.#plan.version ? `planned ${this.#plan.version}, ` : '';
        await this.#post(
          this.#id,
          'inactive',
          `${SKIPPED}: the turn of a ${this.#plan.kind}; ${planned}${record.version} is recorded as deployment ${id}`,
        );
      }
    }
    this.#ids.set(key, id);
    return id;
  }

  async #post(id: number, state: string, description: string): Promise<void> {
    await this.#gh.postStatus(id, state, description);
    this.#posted.set(id, `${state} ${description}`);
  }
}

function seenKey(record: ReleaseRecord, live: boolean): string {
  return `${record.status}${live ? ' live' : ''} ${markersOf(record)}`;
}
