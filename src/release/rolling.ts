import { type DriverHost, withoutOutput } from '../deploy/driver.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import type { HostCount, RollingSettings } from '../model/release.ts';
import type { EnvironmentState } from '../ports.ts';
import type { HostServing } from '../traffic/host-gate.ts';
import { type BatchPlan, planBatches } from './plan-batches.ts';
import { type BatchRequest, type HostOutcome, type RollParts, rollBatch } from './roll-batch.ts';
import type { RollSetup } from './roll-setup.ts';
import type { BatchSpan, GoLiveOutcome, GoLiveRequest, ReleaseStrategy } from './strategy.ts';

/**
 * Rolling, across hosts behind a load balancer (CodeDeploy's minimum healthy hosts, Ansible's
 * serial): batch by batch, each host out of rotation, deployed, verified on its own address, back
 * in. The plan is made from what the balancer and the record say before anything changes, and
 * refused if it would break min-healthy. A host that fails stops the rollout; with
 * stop-and-revert the hosts it reached go back to the previous version, in batches, verified.
 */
export function rollingStrategy(settings: RollingSettings, setup: RollSetup): ReleaseStrategy {
  return {
    name: 'rolling',
    changesInPlace: true,
    plan: (version) =>
      `${setup.planned.plan(version)} on ${setup.hostsText}: rolling ${countText(settings.batchSize)} at a time, min-healthy ${settings.minHealthy ? countText(settings.minHealthy) : 'all but the batch'}, behind ${settings.gate.kind}`,
    async goLive(request) {
      // Read before anything changes (the inventory, the balancer): a failure here changed nothing.
      const parts = await setup.open(request.signal).catch((error: Error) => error);
      if (parts instanceof Error) return untouched(parts.message);
      return roll(settings, parts, request);
    },
    // The dry run: the same plan over what the balancer says now; no host is reached.
    async preview({ version, state, signal }) {
      const parts = await setup.open(signal);
      const states = await parts.gate.states();
      const plan = planBatches({ ...settings, ...fleetFacts(parts.fleet.hosts, states, state, version) });
      const hosts = [...states].map(([name, serving]) => `${name} ${serving}`).join(', ');
      const lines = [`  balancer:    ${parts.gate.name}: ${hosts}`];
      if (plan.kind === 'refuse') return { lines, refusal: `${plan.input} ${plan.problem}` };
      return {
        lines: [...lines, `  batches:     ${describePlan(plan)}; each host verified on its address first`],
        publicCheckWhen: 'once every host is back',
      };
    },
    close: () => setup.close(),
  };
}

async function roll(
  settings: RollingSettings,
  parts: RollParts,
  request: GoLiveRequest,
): Promise<GoLiveOutcome> {
  const { version } = request;
  // Read before anything changes: a balancer that cannot be read, or disagrees with hosts, stops it here.
  const states = await parts.gate.states().catch((error: Error) => error);
  if (states instanceof Error) return untouched(states.message);
  const plan = planBatches({ ...settings, ...fleetFacts(parts.fleet.hosts, states, request.state, version) });
  if (plan.kind === 'refuse') return untouched(`${plan.input} ${plan.problem}`);
  // Every host reached before the first is taken out: an unreachable one changes nothing.
  const unreachable = plan.batches.length > 0 ? await parts.fleet.reach?.(request.signal) : undefined;
  if (unreachable) return untouched(`${unreachable}: no host was changed`);
  parts.logger.info(`Rolling ${version}: ${describePlan(plan)}`);
  const run = new Tally();
  for (const [at, batch] of plan.batches.entries()) {
    parts.logger.info(`Batch ${at + 1} of ${plan.batches.length}: ${batch.join(', ')} out of rotation`);
    const { outcomes, span } = await timedBatch(
      parts,
      batchRequest(request, version, request.previous),
      batch,
    );
    run.add(outcomes, version, { ...span, revert: false });
    if (outcomes.every((outcome) => outcome.ok)) continue;
    const stoppedAt = `the rollout stopped at batch ${at + 1} of ${plan.batches.length}`;
    return revertOrStop(settings, parts, request, run, stoppedAt);
  }
  return { ok: true, attempts: run.attempts, facts: run.facts, hosts: run.facts, batches: run.batches };
}

/** The rollout stopped on a host: the hosts it reached go back (stop-and-revert), or stay (stop). */
async function revertOrStop(
  settings: RollingSettings,
  parts: RollParts,
  request: GoLiveRequest,
  run: Tally,
  stoppedAt: string,
): Promise<GoLiveOutcome> {
  const { previous } = request;
  const failure = `${run.failed.map((o) => `on ${o.host}: ${withoutOutput(o.reason ?? '')}`).join('; ')}; ${stoppedAt}`;
  const rejected = run.failed.some((outcome) => outcome.rejected);
  // A rollback that fails is not undone: what it left is the version it rolled back from.
  if (settings.onFailure === 'stop' || !previous || request.kind === 'rollback') {
    const why =
      settings.onFailure === 'stop' || request.kind === 'rollback'
        ? ''
        : ' (nothing to revert to: no version was live before)';
    return stopped(run, `${failure}${why}`, rejected);
  }
  const reached = [...run.failed.map((o) => o.host), ...run.done];
  parts.logger.warning(`${failure}: reverting ${reached.join(', ')} to ${previous}`);
  const back = await revertHosts(settings, parts, { ...request, previous }, run, reached);
  if ('refused' in back) return stopped(run, `${failure}; reverting was refused: ${back.refused}`, rejected);
  if (back.left.length > 0)
    return stopped(
      run,
      `${failure}; ${back.reverted}; reverting stopped: ${back.left.join(', ')} not reverted`,
      rejected,
    );
  const reverted = back.reverted;
  return {
    ok: false,
    reason: `${failure}; ${reverted}`,
    attempts: run.attempts,
    facts: run.facts,
    hosts: run.facts,
    batches: run.batches,
    rejected,
    production: rejected ? 'rejected' : 'untouched',
  };
}

/**
 * The hosts a release reached, back to `previous` in batches planned by the same decision, each
 * verified before it rejoins; stops at the first batch that fails. `run` learns what became of each.
 */
export async function revertHosts(
  settings: Pick<RollingSettings, 'batchSize' | 'minHealthy'>,
  parts: RollParts,
  request: GoLiveRequest & { readonly previous: string },
  run: Tally,
  reached: readonly string[],
): Promise<{ reverted: string; left: readonly string[] } | { refused: string }> {
  const { previous, version } = request;
  const plan = planBatches({
    ...settings,
    fleet: parts.fleet.hosts.map((host) => host.name),
    todo: reached,
    unhealthy: unhealthyOf(await parts.gate.states()),
  });
  if (plan.kind === 'refuse') return { refused: `${plan.input} ${plan.problem}` };
  const back = new Tally();
  for (const batch of plan.batches) {
    const { outcomes, span } = await timedBatch(parts, batchRequest(request, previous, version), batch);
    back.add(outcomes, previous, { ...span, revert: true });
    run.revert(outcomes, previous, back.batches.at(-1)!);
    if (back.failed.length > 0) break;
  }
  return {
    reverted: `${back.done.join(', ') || 'no host'} reverted to ${previous}, verified`,
    left: reached.filter((host) => !back.done.includes(host)),
  };
}

/** Ended before any host was touched. */
export function untouched(reason: string): GoLiveOutcome {
  return { ok: false, reason, attempts: [], facts: {}, production: 'untouched' };
}

/** Stopped mid-fleet: hosts that got the version verified serve it; the failed ones are out. */
function stopped(run: Tally, reason: string, rejected: boolean): GoLiveOutcome {
  const serving = run.done.length > 0;
  return {
    ok: false,
    reason: serving ? `${reason}; ${run.done.join(', ')} serve ${run.version}` : reason,
    attempts: run.attempts,
    facts: run.facts,
    hosts: run.facts,
    batches: run.batches,
    ...(serving
      ? { production: 'live-unverified' as const }
      : { rejected, production: rejected ? 'rejected' : 'untouched' }),
  };
}

/** What the plan starts from: hosts already serving the version verified are done; the others are to do. */
export function fleetFacts(
  hosts: readonly DriverHost[],
  states: ReadonlyMap<string, HostServing>,
  state: EnvironmentState,
  version: string,
) {
  const done = (name: string) => {
    const record = state.hosts?.[name];
    return record?.version === version && record.verified && states.get(name) === 'serving';
  };
  const fleet = hosts.map((host) => host.name);
  return { fleet, todo: fleet.filter((name) => !done(name)), unhealthy: unhealthyOf(states) };
}

export function unhealthyOf(states: ReadonlyMap<string, HostServing>): ReadonlySet<string> {
  return new Set([...states].filter(([, serving]) => serving !== 'serving').map(([name]) => name));
}

export function batchRequest(
  request: GoLiveRequest,
  version: string,
  previous: string | undefined,
): BatchRequest {
  const { environment, signal, host } = request;
  return { environment, signal, host, version, ...(previous ? { previous } : {}) };
}

/** One batch of the named hosts, and when it started and ended. */
export async function timedBatch(parts: RollParts, request: BatchRequest, names: readonly string[]) {
  const startedAt = parts.now();
  const hosts = names.map((name): DriverHost => parts.fleet.hosts.find((host) => host.name === name)!);
  const outcomes = await rollBatch(parts, request, hosts);
  return { outcomes, span: { startedAt, endedAt: parts.now() } };
}

export function describePlan(plan: Extract<BatchPlan, { kind: 'batches' }>): string {
  const batches = plan.batches.map((batch) => batch.join(', ')).join(' | ');
  return `${plan.batches.length} batch${plan.batches.length === 1 ? '' : 'es'} (${batches}); at least ${plan.lowest} host${plan.lowest === 1 ? '' : 's'} serving throughout (min-healthy ${plan.minHealthy})`;
}

function countText(count: HostCount): string {
  return 'count' in count ? String(count.count) : `${count.percent}%`;
}

/** What the batches came to, host by host: for the outcome's facts and reason. */
export class Tally {
  readonly done: string[] = [];
  readonly failed: HostOutcome[] = [];
  readonly attempts: AttemptRecord[] = [];
  readonly facts: Record<string, string> = {};
  readonly batches: BatchSpan[] = [];
  version = '';

  add(outcomes: readonly HostOutcome[], version: string, span: Omit<BatchSpan, 'hosts' | 'ok'>): void {
    this.version = version;
    this.batches.push({ ...span, hosts: outcomes.map((o) => o.host), ok: outcomes.every((o) => o.ok) });
    for (const outcome of outcomes) {
      this.attempts.push(...outcome.attempts);
      if (outcome.ok) this.done.push(outcome.host);
      else this.failed.push(outcome);
      this.facts[outcome.host] = outcome.ok
        ? `${version}, verified`
        : `out of rotation: ${withoutOutput(outcome.reason ?? '')}`;
    }
  }

  /** Hosts taken back to `previous`: no longer serving the release's version. */
  revert(outcomes: readonly HostOutcome[], previous: string, span: BatchSpan): void {
    this.batches.push(span);
    for (const outcome of outcomes) {
      this.attempts.push(...outcome.attempts);
      const at = this.done.indexOf(outcome.host);
      if (outcome.ok && at >= 0) this.done.splice(at, 1);
      this.facts[outcome.host] = outcome.ok
        ? `reverted to ${previous}, verified`
        : `out of rotation: reverting failed: ${withoutOutput(outcome.reason ?? '')}`;
    }
  }
}
