import type { VerifyDeps } from '../deploy/verify.ts';
import type { Slot, TargetSettings } from '../model/release.ts';
import type { EnvironmentState, Logger, ReleaseRecord } from '../ports.ts';
import type { TrafficSwitch } from '../traffic/traffic-switch.ts';
import { trafficSwitchFor } from '../traffic/traffic-switch-for.ts';
import { awaitingPromotion, type SlotSeen } from './release-state.ts';

/** What putting traffic back needs: the proxy, the two slots, a log. */
export interface SlotProxy {
  readonly traffic: TrafficSwitch;
  readonly slots: readonly Slot[];
  readonly logger: Logger;
}

/**
 * The release whose canary holds a share of traffic: the newest release, under way at phase
 * canary (or killed there); else the one waiting for promotion at a pause: {} (a deploy that
 * replaces it is newer, and not at that phase). None once a newer release settled.
 */
export function canaryUnderway(state: EnvironmentState): ReleaseRecord | undefined {
  const last = state.releases.at(-1);
  if (last?.status === 'deploying' && last.phase === 'canary' && last.slot) return last;
  const waiting = awaitingPromotion(state);
  return waiting?.phase === 'canary' ? waiting : undefined;
}

/** The canary's slot and the stable one, as the record names them. */
export function stableOf(
  slots: readonly Slot[],
  state: EnvironmentState,
): { canary: Slot; stable: Slot } | undefined {
  const canary = slots.find((slot) => slot.name === canaryUnderway(state)?.slot);
  const stable = slots.find((slot) => slot !== canary);
  return canary && stable ? { canary, stable } : undefined;
}

/**
 * All traffic back on the stable slot: the canary's weight to 0 at once (no new request reaches
 * it; those in flight end), then the switch drains it and takes it out of rotation, read back.
 * `known`: the release's own two slots; else the record says which holds the canary.
 */
export async function backToStable(
  { traffic, slots, logger }: SlotProxy,
  state: EnvironmentState,
  signal: AbortSignal,
  known?: { canary: Slot; stable: Slot },
): Promise<SlotSeen> {
  const sides = known ?? stableOf(slots, state);
  if (!sides)
    throw new Error(
      `${traffic.name} splits traffic between the slots and the record names no canary: nothing was changed. Put all traffic on the stable slot, e.g. ${traffic.fixCommand(slots[0]!.name, [slots[1]!.name])}`,
    );
  const { canary, stable } = sides;
  await traffic.split(canary.name, stable.name, 0, signal);
  logger.info(`The canary on ${canary.name} gets no new traffic: all of it goes to ${stable.name}`);
  await traffic.switchTo(stable.name, canary.name, signal);
  const live = await traffic.live();
  if (live.length !== 1 || live[0] !== stable.name)
    throw new Error(
      `after taking the canary's traffic away ${traffic.name} serves ${live.join(' and ') || 'no slot'}, not ${stable.name}`,
    );
  return { slot: stable.name };
}

/**
 * How a process that is not the release (a post step) puts a canary's traffic back: the
 * target's own proxy, the record naming the canary. Undefined unless the target is a canary on slots.
 */
export function recoverCanary(
  target: TargetSettings,
  deps: VerifyDeps,
): ((state: EnvironmentState) => Promise<SlotSeen>) | undefined {
  const { strategy } = target;
  if (strategy.kind !== 'blue-green' || !strategy.canary) return undefined;
  const traffic = trafficSwitchFor(strategy, target.environment, deps);
  return (state) =>
    backToStable(
      { traffic, slots: strategy.slots, logger: deps.logger },
      state,
      AbortSignal.timeout(strategy.drainTimeoutMs + 30_000),
    );
}
