import type { CanaryMove } from '../canary/canary-decision.ts';
import type { RollingSettings } from '../model/release.ts';
import type { Clock } from '../ports.ts';
import { planBatches } from './plan-batches.ts';
import type { RollParts } from './roll-batch.ts';
import { batchRequest, type fleetFacts, Tally, timedBatch, unhealthyOf } from './rolling.ts';
import type { GoLiveRequest } from './strategy.ts';

type Abort = Extract<CanaryMove, { kind: 'abort' }>;

/**
 * A fleet split between the canary and stable: which hosts run the canary (those that already
 * did, then those moved), the analysis' two sides, and the move to a share of the hosts, each
 * drained, deployed, verified on its address and put back by rolling's batches.
 */
export function canaryFleet(
  settings: RollingSettings,
  parts: RollParts,
  request: GoLiveRequest & { readonly previous: string },
  facts: ReturnType<typeof fleetFacts>,
  clock: Clock,
) {
  const { version, previous } = request;
  // Hosts serving nothing go first: moving them costs no capacity.
  const order = [...facts.todo].sort(
    (a, b) => Number(facts.unhealthy.has(b)) - Number(facts.unhealthy.has(a)),
  );
  const moved = facts.fleet.filter((host) => !facts.todo.includes(host));
  const run = new Tally();
  const sides = {
    version,
    previous,
    /** When the first host began serving the canary: no analysis window reaches back before it. */
    since: undefined as number | undefined,
    get canary() {
      return [...moved];
    },
    get stable() {
      return facts.fleet.filter((host) => !moved.includes(host));
    },
  };
  return {
    run,
    sides,
    /** Every host the canary reached: those running it, and those that failed taking it. */
    reached: () => [...new Set([...run.failed.map((o) => o.host), ...moved])],
    /** `percent` of the hosts (rounded up, at least one) run the canary; or the abort a failed host means. */
    async moveTo(percent: number): Promise<Abort | undefined> {
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
        if (moved.length > 0) sides.since ??= clock.now();
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length > 0)
          return {
            kind: 'abort',
            markBad: failed.some((o) => o.rejected),
            reason: failed.map((o) => `on ${o.host}: ${o.reason}`).join('; '),
          };
      }
      return undefined;
    },
  };
}

export type CanaryFleet = ReturnType<typeof canaryFleet>;
