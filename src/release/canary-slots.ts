import { pauseExpired, splitHolds } from '../canary/canary-decision.ts';
import { describeEnd, runCanarySteps, type StepsEnd } from '../canary/run-canary-steps.ts';
import type { Verification } from '../deploy/verify.ts';
import type { CanarySettings } from '../model/canary.ts';
import {
  goLive as blueGreenGoLive,
  blueGreenStrategy,
  deployIntoIdle,
  observeAndChoose,
  refused,
  stopRejected,
  switchTraffic,
  verifyOnSlot,
} from './blue-green.ts';
import { previewCanary } from './canary-preview.ts';
import { analysisProbesFor } from './canary-probes.ts';
import { backToStable } from './canary-restore.ts';
import type { SlotPlan } from './choose-slots.ts';
import { awaitingPromotion } from './release-state.ts';
import { answers, type Parts } from './slot-facts.ts';
import type { GoLiveOutcome, GoLiveRequest, ReleaseStrategy } from './strategy.ts';

type Chosen = Exclude<SlotPlan, { kind: 'refuse' }>;

/**
 * A canary on two slots (Argo Rollouts' canary with traffic routing): the version runs in the
 * idle slot and is verified there before any user reaches it, as in blue-green; then the proxy
 * gives it a growing share of the traffic, step by step, while its analysis watches real users'
 * requests; at the end it gets all of it. At the first decided failure its weight goes to 0 at
 * once, its slot drains and stops, and the version is marked bad.
 */
export function canarySlotsStrategy(parts: Parts, canary: CanarySettings): ReleaseStrategy {
  const base = blueGreenStrategy(
    parts.driver,
    parts.settings,
    parts.retry,
    parts.traffic,
    parts.deps,
    parts.slotRunner,
  );
  return {
    ...base,
    name: 'canary',
    plan: (version) =>
      `${parts.driver.plan(version)} in the idle slot, verify it there, then ${canary.steps.length} canary steps on ${parts.traffic.name}`,
    goLive: (request) => goLive(parts, canary, request),
    preview: async (request) => previewCanary(await base.preview!(request), canary, request),
    recover: (state, signal) => backToStable(proxyOf(parts), state, signal),
  };
}

async function goLive(parts: Parts, canary: CanarySettings, request: GoLiveRequest): Promise<GoLiveOutcome> {
  if (request.kind === 'promote') return resume(parts, canary, request);
  // A split left by a paused canary that this release replaces: all traffic back on stable first.
  const split = (await parts.traffic.live()).length > 1;
  if (split) await backToStable(proxyOf(parts), request.state, request.signal);
  // A rollback goes back at once, as blue-green does: a canary is for what is new.
  if (request.kind === 'rollback') return blueGreenGoLive(parts, request);
  const chosen = await observeAndChoose(parts, request);
  if (chosen.kind === 'refuse') return blueGreenGoLive(parts, request);
  if (chosen.bootstrap || !request.previous || chosen.kind === 'switch-first') {
    parts.deps.logger.info(
      chosen.kind !== 'switch-first'
        ? 'Nothing was released here before: no stable version to compare a canary with, so the version is verified on its slot and switched to, as blue-green does'
        : `Slot ${chosen.idle.name} still runs ${request.version}, verified: switching back to it at once, as blue-green does`,
    );
    return blueGreenGoLive(parts, request);
  }
  await request.at('placing', chosen.idle.name);
  const running = chosen.kind === 'deploy' ? await deployIntoIdle(parts, request, chosen) : { attempts: [] };
  if ('reason' in running && running.reason !== undefined)
    return { ...refused(`${running.reason}; no user reached it`), attempts: running.attempts };
  await request.at('verifying');
  const check = await verifyOnSlot(parts, request, chosen.idle);
  if (!check.ok) {
    const stopped = await stopRejected(parts, request, chosen.idle);
    return {
      ...refused(
        `rejected before any traffic: on slot ${chosen.idle.name}, ${check.reason}; no user reached it`,
      ),
      attempts: running.attempts,
      rejected: true,
      slotCheck: check,
      ...(stopped ? { stoppedSlot: chosen.idle.name } : {}),
    };
  }
  const ended = await steps(parts, canary, request, chosen, { from: 0, weight: 0, promoted: false });
  return conclude(parts, request, chosen, ended, { attempts: running.attempts, slotCheck: check });
}

/** `promote` of a canary paused at a `pause: {}`: the steps go on from there, the split checked first. */
async function resume(parts: Parts, canary: CanarySettings, request: GoLiveRequest): Promise<GoLiveOutcome> {
  const paused = awaitingPromotion(request.state);
  if (!paused?.canary || !paused.slot) return blueGreenGoLive(parts, request);
  const idle = parts.settings.slots.find((slot) => slot.name === paused.slot)!;
  const from = parts.settings.slots.find((slot) => slot.name !== paused.slot)!;
  const shares = await parts.traffic.shares();
  if (!splitHolds(shares, idle.name, from.name, paused.canary.weight))
    return refused(
      `the canary paused with ${paused.canary.weight} % on ${idle.name}, but ${parts.traffic.name} now gives it ${shares[idle.name] ?? 0} %: nothing was changed. Abort it (deploy-actions abort), or deploy again`,
    );
  const chosen: Chosen = { kind: 'verify-then-switch', idle, from };
  await request.at('placing', idle.name);
  const { step, weight } = paused.canary;
  const pausedAt = Date.parse(paused.finishedAt ?? paused.startedAt);
  /** Its share taken back without going on: not proven bad, so not marked bad. */
  const abortNow = async (reason: string, slotCheck?: Verification) => {
    await request.canary(step, weight);
    const report = { steps: [], weights: [{ at: pausedAt, weight }], samples: [] };
    const ended = { kind: 'abort' as const, markBad: false, reason, report, weight, step };
    return conclude(parts, request, chosen, ended, { attempts: [], ...(slotCheck ? { slotCheck } : {}) });
  };
  const expired = pauseExpired(pausedAt, parts.deps.clock.now(), canary.timeoutMs);
  if (expired) return abortNow(expired);
  // Users reached it all along the pause: its slot is checked again before it gets more of them.
  if (!(await answers(idle)))
    return abortNow(`on slot ${idle.name}, where it waited, nothing answers any more`);
  const check = await verifyOnSlot(parts, request, idle);
  if (!check.ok) return abortNow(`on slot ${idle.name}, where it waited, ${check.reason}`, check);
  const ended = await steps(parts, canary, request, chosen, { from: step, weight, promoted: true });
  return conclude(parts, request, chosen, ended, { attempts: [], slotCheck: check });
}

/** The steps, the canary's share set and read back at each; a cancel or fault puts all traffic back on stable. */
async function steps(
  parts: Parts,
  canary: CanarySettings,
  request: GoLiveRequest,
  { idle, from }: Chosen,
  start: { from: number; weight: number; promoted: boolean },
): Promise<StepsEnd> {
  const { traffic, deps } = parts;
  const sides = {
    canary: [idle.name],
    stable: [from.name],
    version: request.version,
    ...(request.previous ? { previous: request.previous } : {}),
    // Resumed after a pause: its traffic since the resume (earlier windows were judged then).
    since: start.weight > 0 ? deps.clock.now() : (undefined as number | undefined),
  };
  const probesOf = analysisProbesFor(parts.deps, parts.settings.traffic, sides);
  try {
    return await runCanarySteps({
      steps: canary.steps,
      ...start,
      ...(canary.background ? { background: probesOf(canary.background) } : {}),
      probesOf,
      async setWeight(percent, signal) {
        await traffic.split(idle.name, from.name, percent, signal);
        if (percent > 0) sides.since ??= deps.clock.now();
        const shares = await traffic.shares();
        if (!splitHolds(shares, idle.name, from.name, percent))
          throw new Error(
            `${traffic.name} was asked for ${percent} % on ${idle.name} and says ${idle.name} ${shares[idle.name] ?? 0} %, ${from.name} ${shares[from.name] ?? 0} %`,
          );
        return undefined;
      },
      atStep: (step, weight) => request.canary(step, weight),
      clock: deps.clock,
      signal: request.signal,
      logger: deps.logger,
    });
  } catch (error) {
    await backToStable(
      proxyOf(parts),
      request.state,
      AbortSignal.timeout(parts.settings.drainTimeoutMs + 30_000),
      {
        canary: idle,
        stable: from,
      },
    ).catch((restoring: unknown) =>
      deps.logger.error(`putting all traffic back on ${from.name} failed: ${(restoring as Error).message}`),
    );
    throw error;
  }
}

/** Promoted: all traffic to the canary. Paused: the split stays. Aborted: weight 0, drained, stopped. */
async function conclude(
  parts: Parts,
  request: GoLiveRequest,
  chosen: Chosen,
  ended: StepsEnd,
  done: Pick<GoLiveOutcome, 'attempts' | 'slotCheck'>,
): Promise<GoLiveOutcome> {
  const { idle, from } = chosen;
  const canary = describeEnd(ended, parts.settings.canary?.steps.length ?? 0);
  const facts = { slot: idle.name, 'previous-slot': from.name, canary };
  if (ended.kind === 'promote') {
    const switched = await switchTraffic(parts, request, chosen);
    return { ok: true, ...done, facts: { ...facts, ...switched }, canary: ended.report };
  }
  if (ended.kind === 'paused')
    return {
      ok: true,
      ...done,
      paused: true,
      canary: ended.report,
      facts: {
        ...facts,
        'serving now': `${from.name} ${100 - ended.weight} %, ${idle.name} ${ended.weight} % (canary)`,
        promotion: `waiting at step ${ended.step + 1}: promote goes on, abort takes the canary's traffic away`,
      },
    };
  const began = parts.deps.clock.now();
  await backToStable(
    proxyOf(parts),
    request.state,
    AbortSignal.timeout(parts.settings.drainTimeoutMs + 30_000),
    {
      canary: idle,
      stable: from,
    },
  );
  const stopped = await stopRejected(parts, request, idle);
  const back = { at: parts.deps.clock.now(), weight: 0 };
  return {
    ok: false,
    ...done,
    reason: `canary aborted at step ${ended.step + 1} (${ended.weight} %): ${ended.reason}; all traffic is back on ${from.name}`,
    ...(ended.markBad ? { rejected: true as const } : { aborted: true as const }),
    production: 'reverted',
    canary: { ...ended.report, weights: [...ended.report.weights, back] },
    facts: {
      ...facts,
      'serving now': `${from.name} (all traffic)`,
      'back on stable in': `${Math.round(parts.deps.clock.now() - began)} ms`,
      ...(stopped ? { [`slot ${idle.name}`]: 'stopped (stop-command)' } : {}),
    },
    ...(stopped ? { stoppedSlot: idle.name } : {}),
  };
}

function proxyOf(parts: Parts) {
  return { traffic: parts.traffic, slots: parts.settings.slots, logger: parts.deps.logger };
}
