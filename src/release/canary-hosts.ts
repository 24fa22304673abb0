import type { CanaryMove } from '../canary/canary-decision.ts';
import { runCanarySteps, type StepsEnd } from '../canary/run-canary-steps.ts';
import type { VerifyDeps } from '../deploy/verify.ts';
import { formatDuration } from '../durations.ts';
import type { CanarySettings, CanaryStep } from '../model/canary.ts';
import type { RollingSettings, TargetSettings } from '../model/release.ts';
import type { EnvironmentState } from '../ports.ts';
import { analysisProbesFor } from './canary-probes.ts';
import { planBatches } from './plan-batches.ts';
import { awaitingPromotion, type HostChange } from './release-state.ts';
import type { RollParts } from './roll-batch.ts';
import { type RollSetup, rollSetup } from './roll-setup.ts';
import {
  batchRequest,
  fleetFacts,
  revertHosts,
  rollingStrategy,
  Tally,
  timedBatch,
  unhealthyOf,
} from './rolling.ts';
import type { GoLiveOutcome, GoLiveRequest, ReleaseStrategy } from './strategy.ts';

type Abort = Extract<CanaryMove, { kind: 'abort' }>;

/**
 * A canary across hosts (Argo Rollouts' canary without traffic routing): `set-weight: 25` is a
 * quarter of the hosts running the new version, each taken out, deployed, verified on its own
 * address and put back as in a rolling release, while the analysis compares the hosts on each
 * side. At promotion the rest follow; at the first decided failure every host it reached goes
 * back to the previous version, verified before it rejoins.
 */
export function canaryHostsStrategy(
  settings: RollingSettings,
  canary: CanarySettings,
  setup: RollSetup,
  deps: VerifyDeps,
): ReleaseStrategy {
  const rolling = rollingStrategy(settings, setup);
  return {
    ...rolling,
    name: 'canary',
    plan: (version) =>
      `${setup.planned.plan(version)} on ${setup.hostsText}: ${canary.steps.length} canary steps, a share of the hosts at each`,
    async goLive(request) {
      const start = startOf(canary, request, deps.clock.now());
      // A rollback goes back at once; the first release has nothing to compare a canary with.
      if (!start || !request.previous) return rolling.goLive(request);
      const parts = await setup.open(request.signal).catch((error: Error) => error);
      if (parts instanceof Error) return untouched(parts.message);
      return grow(settings, canary, parts, deps, request as GoLiveRequest & { previous: string }, start);
    },
  };
}

/** Where the steps start: the first (a deploy), or the pause a promote ends; past canary-timeout, nowhere. */
interface Start {
  readonly from: number;
  readonly weight: number;
  readonly promoted: boolean;
  /** Waited for promotion longer than canary-timeout: aborted instead. */
  readonly expired?: string;
}

function startOf(canary: CanarySettings, request: GoLiveRequest, now: number): Start | undefined {
  if (request.kind === 'deploy') return { from: 0, weight: 0, promoted: false };
  const paused = request.kind === 'promote' ? awaitingPromotion(request.state) : undefined;
  if (!paused?.canary) return undefined;
  const waited = now - Date.parse(paused.finishedAt ?? paused.startedAt);
  return {
    from: paused.canary.step,
    weight: paused.canary.weight,
    promoted: true,
    ...(waited > canary.timeoutMs
      ? {
          expired: `it waited for promotion ${formatDuration(waited)}, longer than canary-timeout (${formatDuration(canary.timeoutMs)})`,
        }
      : {}),
  };
}

async function grow(
  settings: RollingSettings,
  canary: CanarySettings,
  parts: RollParts,
  deps: VerifyDeps,
  request: GoLiveRequest & { readonly previous: string },
  start: Start,
): Promise<GoLiveOutcome> {
  const { version, previous } = request;
  const states = await parts.gate.states().catch((error: Error) => error);
  if (states instanceof Error) return untouched(states.message);
  const facts = fleetFacts(parts.fleet.hosts, states, request.state, version);
  const unreachable = facts.todo.length > 0 ? await parts.fleet.reach?.(request.signal) : undefined;
  if (unreachable) return untouched(`${unreachable}: no host was changed`);
  // Hosts serving nothing go first: moving them costs no capacity.
  const order = [...facts.todo].sort(
    (a, b) => Number(facts.unhealthy.has(b)) - Number(facts.unhealthy.has(a)),
  );
  const moved = facts.fleet.filter((host) => !facts.todo.includes(host));
  const run = new Tally();
  const sides = {
    version,
    previous,
    since: undefined as number | undefined,
    get canary() {
      return [...moved];
    },
    get stable() {
      return facts.fleet.filter((host) => !moved.includes(host));
    },
  };
  const probesOf = analysisProbesFor(deps, settings.gate, sides);
  const moveTo = async (percent: number): Promise<Abort | undefined> => {
    const target = percent === 0 ? 0 : Math.max(1, Math.ceil((percent * facts.fleet.length) / 100));
    const next = order.filter((host) => !moved.includes(host)).slice(0, Math.max(0, target - moved.length));
    const plan = planBatches({
      ...settings,
      fleet: facts.fleet,
      todo: next,
      unhealthy: unhealthyOf(await parts.gate.states()),
    });
    if (plan.kind === 'refuse')
      return { kind: 'abort', markBad: false, reason: `${plan.input} ${plan.problem}` };
    for (const batch of plan.batches) {
      parts.logger.info(`${batch.join(', ')}: out of rotation for ${version}`);
      const { outcomes, span } = await timedBatch(parts, batchRequest(request, version, previous), batch);
      run.add(outcomes, version, { ...span, revert: false });
      moved.push(...outcomes.filter((o) => o.ok).map((o) => o.host));
      if (moved.length > 0) sides.since ??= deps.clock.now();
      const failed = outcomes.filter((o) => !o.ok);
      if (failed.length > 0)
        return {
          kind: 'abort',
          markBad: failed.some((o) => o.rejected),
          reason: failed.map((o) => `on ${o.host}: ${o.reason}`).join('; '),
        };
    }
    return undefined;
  };
  const { expired, ...from } = start;
  const ended: StepsEnd = expired
    ? { kind: 'abort', markBad: false, reason: expired, step: from.from, weight: from.weight, report: EMPTY }
    : await runCanarySteps({
        steps: canary.steps,
        ...from,
        ...(canary.background ? { background: probesOf(canary.background) } : {}),
        probesOf,
        setWeight: (percent) => moveTo(percent),
        // The hosts' own records say which run the canary; a pause: {} records where it waits.
        atStep: (step, weight) =>
          waitsForPromote(canary.steps[step]) ? request.canary(step, weight) : Promise.resolve(),
        clock: deps.clock,
        signal: request.signal,
        logger: deps.logger,
      });
  if (ended.kind === 'paused')
    return {
      ok: true,
      paused: true,
      ...evidence(run, ended),
      facts: { ...run.facts, canary: where(ended, canary) },
    };
  if (ended.kind === 'promote') {
    parts.logger.info(`Promoting ${version}: the other hosts follow`);
    const refused = await moveTo(100);
    if (!refused)
      return { ok: true, ...evidence(run, ended), facts: { ...run.facts, canary: where(ended, canary) } };
    return abort(settings, parts, request, run, { ...ended, ...refused, kind: 'abort' }, canary);
  }
  return abort(settings, parts, request, run, ended as Extract<StepsEnd, { kind: 'abort' }>, canary);
}

/** Every host the canary reached, back to the previous version, verified before it rejoins. */
async function abort(
  settings: RollingSettings,
  parts: RollParts,
  request: GoLiveRequest & { readonly previous: string },
  run: Tally,
  ended: Extract<StepsEnd, { kind: 'abort' }>,
  canary: CanarySettings,
): Promise<GoLiveOutcome> {
  const reached = [...run.failed.map((o) => o.host), ...run.done];
  const why = `canary aborted at step ${ended.step + 1} (${ended.weight} % of the hosts): ${ended.reason}`;
  parts.logger.warning(`${why}: reverting ${reached.join(', ') || 'no host'} to ${request.previous}`);
  const back =
    reached.length > 0
      ? await revertHosts(settings, parts, request, run, reached)
      : { reverted: 'no host reached', left: [] };
  const all = !('refused' in back) && back.left.length === 0;
  const weights = [...ended.report.weights, ...(all ? [{ at: parts.now(), weight: 0 }] : [])];
  const said = 'refused' in back ? `reverting was refused: ${back.refused}` : back.reverted;
  return {
    ok: false,
    reason: `${why}; ${said}${all ? '' : `; ${run.done.join(', ')} still serve ${request.version}`}`,
    ...evidence(run, { ...ended, report: { ...ended.report, weights } }),
    facts: { ...run.facts, canary: where(ended, canary) },
    ...(ended.markBad ? { rejected: true as const } : { aborted: true as const }),
    production: all ? (reached.length > 0 ? 'reverted' : 'untouched') : 'live-unverified',
  };
}

function evidence(run: Tally, ended: StepsEnd) {
  return { attempts: run.attempts, hosts: run.facts, batches: run.batches, canary: ended.report };
}

function where(ended: StepsEnd, canary: CanarySettings): string {
  const of = `of ${canary.steps.length}`;
  if (ended.kind === 'promote') return `promoted after step ${ended.step} ${of}`;
  return `${ended.kind === 'abort' ? 'aborted' : 'paused'} at step ${ended.step + 1} ${of} (${ended.weight} %)`;
}

const EMPTY = { steps: [], weights: [], samples: [] };

function waitsForPromote(step: CanaryStep | undefined): boolean {
  return step?.kind === 'pause' && step.ms === undefined;
}

function untouched(reason: string): GoLiveOutcome {
  return { ok: false, reason, attempts: [], facts: {}, production: 'untouched' };
}

/**
 * `abort` of a canary across hosts paused at a `pause: {}`: the hosts running it go back to the
 * version users reached before, in batches, each verified before it rejoins; each host's change
 * recorded as it happens (`record`). Resolves with the hosts reverted and those left.
 */
export async function revertPausedHosts(
  target: TargetSettings,
  settings: RollingSettings,
  deps: VerifyDeps,
  paused: { readonly state: EnvironmentState; readonly version: string; readonly previous: string },
  record: (name: string, change: HostChange) => Promise<void>,
  signal: AbortSignal,
): Promise<{ reverted: string; left: readonly string[] }> {
  const setup = rollSetup(target, settings, deps);
  try {
    const parts = await setup.open(signal);
    const running = Object.entries(paused.state.hosts ?? {})
      .filter(([, host]) => host.version === paused.version)
      .map(([name]) => name);
    if (running.length === 0) return { reverted: 'no host ran it', left: [] };
    const back = await revertHosts(
      settings,
      parts,
      {
        environment: target.environment,
        version: paused.version,
        previous: paused.previous,
        kind: 'deploy',
        signal,
        state: paused.state,
        at: async () => {},
        canary: async () => {},
        host: record,
      },
      new Tally(),
      running,
    );
    if ('refused' in back) return { reverted: `reverting was refused: ${back.refused}`, left: running };
    return back;
  } finally {
    await setup.close();
  }
}
