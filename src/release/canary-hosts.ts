import { pauseExpired } from '../canary/canary-decision.ts';
import { describeEnd, runCanarySteps, type StepsEnd, waitsForPromote } from '../canary/run-canary-steps.ts';
import type { VerifyDeps } from '../deploy/verify.ts';
import type { CanarySettings } from '../model/canary.ts';
import type { RollingSettings, TargetSettings } from '../model/release.ts';
import type { EnvironmentState } from '../ports.ts';
import { type CanaryFleet, canaryFleet } from './canary-fleet.ts';
import { analysisProbesFor } from './canary-probes.ts';
import { awaitingPromotion, type HostChange } from './release-state.ts';
import type { RollParts } from './roll-batch.ts';
import { type RollSetup, rollSetup } from './roll-setup.ts';
import { fleetFacts, revertHosts, rollingStrategy, Tally, untouched } from './rolling.ts';
import type { GoLiveOutcome, GoLiveRequest, ReleaseStrategy } from './strategy.ts';

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
  const expired = pauseExpired(Date.parse(paused.finishedAt ?? paused.startedAt), now, canary.timeoutMs);
  return {
    from: paused.canary.step,
    weight: paused.canary.weight,
    promoted: true,
    ...(expired ? { expired } : {}),
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
  const { version } = request;
  const states = await parts.gate.states().catch((error: Error) => error);
  if (states instanceof Error) return untouched(states.message);
  const facts = fleetFacts(parts.fleet.hosts, states, request.state, version);
  const unreachable = facts.todo.length > 0 ? await parts.fleet.reach?.(request.signal) : undefined;
  if (unreachable) return untouched(`${unreachable}: no host was changed`);
  const fleet = canaryFleet(settings, parts, request, facts, deps.clock);
  // Resumed after a pause: judged on its traffic since the resume (earlier windows were judged then).
  if (fleet.sides.canary.length > 0 && start.promoted) fleet.sides.since = deps.clock.now();
  const probesOf = analysisProbesFor(deps, settings.gate, fleet.sides);
  const { expired, ...from } = start;
  const ended: StepsEnd = expired
    ? { kind: 'abort', markBad: false, reason: expired, step: from.from, weight: from.weight, report: EMPTY }
    : await runCanarySteps({
        steps: canary.steps,
        ...from,
        ...(canary.background ? { background: probesOf(canary.background) } : {}),
        probesOf,
        setWeight: (percent) => fleet.moveTo(percent),
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
      ...evidence(fleet.run, ended),
      facts: { ...fleet.run.facts, canary: describeEnd(ended, canary.steps.length) },
    };
  if (ended.kind === 'promote') {
    parts.logger.info(`Promoting ${version}: the other hosts follow`);
    const refused = await fleet.moveTo(100);
    if (!refused)
      return {
        ok: true,
        ...evidence(fleet.run, ended),
        facts: { ...fleet.run.facts, canary: describeEnd(ended, canary.steps.length) },
      };
    return abort(settings, parts, request, fleet, { ...ended, ...refused, kind: 'abort' }, canary);
  }
  return abort(settings, parts, request, fleet, ended as Extract<StepsEnd, { kind: 'abort' }>, canary);
}

/** Every host the canary reached, back to the previous version, verified before it rejoins. */
async function abort(
  settings: RollingSettings,
  parts: RollParts,
  request: GoLiveRequest & { readonly previous: string },
  fleet: CanaryFleet,
  ended: Extract<StepsEnd, { kind: 'abort' }>,
  canary: CanarySettings,
): Promise<GoLiveOutcome> {
  const { run } = fleet;
  // Every host that runs it: those moved before a pause too.
  const reached = fleet.reached();
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
    facts: { ...run.facts, canary: describeEnd(ended, canary.steps.length) },
    ...(ended.markBad ? { rejected: true as const } : { aborted: true as const }),
    production: all ? (reached.length > 0 ? 'reverted' : 'untouched') : 'live-unverified',
  };
}

function evidence(run: Tally, ended: StepsEnd) {
  return { attempts: run.attempts, hosts: run.facts, batches: run.batches, canary: ended.report };
}

const EMPTY = { steps: [], weights: [], samples: [] };

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
