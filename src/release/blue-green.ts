import { formatHostPort, slotUrl } from '../addresses.ts';
import type { DeployDriver } from '../deploy/driver.ts';
import type { AttemptRecord, RetryPolicy } from '../deploy/retry.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { Slot, StrategySettings } from '../model/release.ts';
import type { CommandRunner } from '../ports.ts';
import type { TrafficSwitch } from '../traffic/traffic-switch.ts';
import { previewBlueGreen } from './blue-green-preview.ts';
import { chooseSlots, type SlotPlan } from './choose-slots.ts';
import { drive } from './drive.ts';
import type { SlotSeen } from './release-state.ts';
import { answers, observeSlots, type Parts } from './slot-facts.ts';
import { stopSlot } from './stop-slot.ts';
import type { GoLiveOutcome, GoLiveRequest, ReleaseStrategy } from './strategy.ts';

type BlueGreen = Extract<StrategySettings, { kind: 'blue-green' }>;
type Refusal = Extract<GoLiveOutcome, { ok: false }>;
type Chosen = Exclude<SlotPlan, { kind: 'refuse' }>;

/**
 * Blue-green (after Argo Rollouts' blueGreen): the version is made to run in the idle slot,
 * verified there before any user reaches it, then traffic switches to it; the old slot keeps
 * running, warm. Every choice is taken on what was just observed (chooseSlots): which slot the
 * proxy serves, and whether each slot answers. A version verified good that the idle slot still
 * runs and that answers (a rollback to the one just replaced) gets traffic back at once and is
 * verified after; a warm slot that no longer answers is deployed again.
 */
export function blueGreenStrategy(
  driver: DeployDriver,
  settings: BlueGreen,
  retry: RetryPolicy & { readonly attemptTimeoutMs: number },
  traffic: TrafficSwitch,
  deps: VerifyDeps,
  slotRunner: (slot: string) => CommandRunner = () => deps.runner,
): ReleaseStrategy {
  const parts: Parts = { driver, settings, retry, traffic, deps, slotRunner };
  return {
    name: 'blue-green',
    // The slots' host over SSH: its connection and key end with the release.
    ...(driver.close ? { close: () => driver.close!() } : {}),
    changesInPlace: false,
    proxy: { name: traffic.name, readCommand: traffic.readCommand },
    plan: (version) =>
      `${driver.plan(version)} in the idle slot, verify it there, then switch ${traffic.name}`,
    goLive: (request) => goLive(parts, request),
    preview: (request) => previewBlueGreen(parts, request),
    async observe(): Promise<SlotSeen> {
      const live = await traffic.live();
      return live.length === 1 ? { slot: live[0]! } : 'unknown';
    },
  };
}

export async function goLive(parts: Parts, request: GoLiveRequest): Promise<GoLiveOutcome> {
  const { settings, traffic, deps } = parts;
  const started = deps.clock.now();
  const chosen = await observeAndChoose(parts, request);
  if (chosen.kind === 'refuse')
    return refused(
      `${traffic.name} ${chosen.problem}: nothing was changed. ${
        chosen.remedy
          ? `To go on, ${chosen.remedy}`
          : `Check which slot should serve, then put traffic there, e.g. ${traffic.fixCommand(
              chosen.serve,
              settings.slots.map((slot) => slot.name).filter((name) => name !== chosen.serve),
            )}`
      }`,
    );
  if (chosen.note && chosen.bootstrap) deps.logger.info(chosen.note);
  else if (chosen.note) deps.logger.warning(chosen.note);
  if (chosen.kind === 'switch-first') return switchFirst(parts, request, chosen, started);
  await request.at('placing', chosen.idle.name);
  return verifyThenSwitch(parts, request, chosen);
}

/** The choice over what was just observed: the same for the release and its dry run. */
export async function observeAndChoose(parts: Parts, request: GoLiveRequest): Promise<SlotPlan> {
  const promotion = promotionOf(parts.settings, request.kind);
  return chooseSlots({ ...(await observeSlots(parts, request)), ...(promotion ? { promotion } : {}) });
}

/** A deploy with promotion: manual pauses before the switch; a promote ends the pause; a rollback never waits. */
export function promotionOf(
  settings: BlueGreen,
  kind: GoLiveRequest['kind'],
): 'pause' | 'promote' | undefined {
  if (kind === 'promote') return 'promote';
  return kind === 'deploy' && settings.promotion === 'manual' ? 'pause' : undefined;
}

/** The version running in the idle slot, made to run there by the driver. */
export async function deployIntoIdle(
  { driver, retry, deps }: Parts,
  request: GoLiveRequest,
  { idle, from, bootstrap }: Chosen,
) {
  deps.logger.info(
    `Deploying ${request.version} into the idle slot ${idle.name} (${formatHostPort(idle)}); ${bootstrap ? 'no user is served yet' : `users stay on ${from.name}`}`,
  );
  const { environment, version, previous, signal } = request;
  const driven = await drive(driver, retry, deps.logger, {
    environment,
    version,
    ...(previous ? { previous } : {}),
    slot: idle,
    signal,
  });
  return driven.ok
    ? { attempts: driven.attempts }
    : { ...driven, reason: `${driven.reason} in slot ${idle.name}` };
}

/** Traffic to `idle`, read back: switched means the proxy says so. */
export async function switchTraffic(
  { traffic, deps }: Parts,
  request: GoLiveRequest,
  { idle, from, bootstrap }: Chosen,
) {
  // Names the slot too: a switch back goes straight here, with no placing before it.
  await request.at('switching', idle.name);
  const began = deps.clock.now();
  await traffic.switchTo(idle.name, from.name, request.signal);
  const tookMs = Math.round(deps.clock.now() - began);
  const now = await traffic.live();
  if (now.length !== 1 || now[0] !== idle.name)
    throw new Error(
      `after the switch ${traffic.name} serves ${now.join(' and ') || 'no slot'}, not ${idle.name}`,
    );
  await request.at('live');
  deps.logger.info(
    bootstrap
      ? `Sent ${traffic.name}'s traffic to ${idle.name}: users reach ${request.version}, the first version of ${request.environment}`
      : `Switched ${traffic.name} from ${from.name} to ${idle.name}: users reach ${request.version}; ${from.name} keeps running ${request.previous ?? 'the old version'}`,
  );
  return {
    switch: `${bootstrap ? 'none' : from.name} → ${idle.name} in ${tookMs} ms (${traffic.name}), read back: ${idle.name}`,
    'serving now': `${idle.name} (${request.version})`,
  };
}

/** A version verified good that still runs warm: traffic back at once, then checked on its slot. */
async function switchFirst(
  parts: Parts,
  request: GoLiveRequest,
  chosen: Chosen,
  started: number,
): Promise<GoLiveOutcome> {
  const { deps } = parts;
  const { idle } = chosen;
  deps.logger.info(
    `Slot ${idle.name} still runs ${request.version}, verified, and answers: switching back to it at once, verifying after`,
  );
  const switched = await switchTraffic(parts, request, chosen);
  const switchedInMs = Math.round(deps.clock.now() - started);
  deps.logger.info(`Traffic is back on ${idle.name} ${switchedInMs} ms after the decision`);
  const facts = {
    slot: idle.name,
    'previous-slot': chosen.from.name,
    'switched-in-ms': switchedInMs,
    ...switched,
  };
  const check = await verifyOnSlot(parts, request, idle);
  if (check.ok) return { ok: true, attempts: [], facts, slotCheck: check };
  return {
    ok: false,
    reason: `after the switch back, on slot ${idle.name}, ${check.reason}`,
    attempts: [],
    facts,
    slotCheck: check,
  };
}

/** The version in the idle slot, verified there before any user reaches it, then switched to. */
async function verifyThenSwitch(
  parts: Parts,
  request: GoLiveRequest,
  chosen: Chosen,
): Promise<GoLiveOutcome> {
  const { deps } = parts;
  const { idle, from } = chosen;
  const noUser = chosen.bootstrap
    ? 'no user reached it (none is served yet)'
    : `no user reached it; they still reach ${request.previous ?? 'what ran before'} on ${from.name}`;
  const pausing = promotionOf(parts.settings, request.kind) === 'pause';
  if (request.kind === 'promote')
    deps.logger.info(
      `Promoting ${request.version}: checking it again on slot ${idle.name}, then switching to it`,
    );
  else if (chosen.kind !== 'deploy')
    deps.logger.info(
      `Slot ${idle.name} still runs ${request.version}: verifying it there, then ${pausing ? 'pausing for promotion' : 'switching to it'}`,
    );
  const running: { attempts: readonly AttemptRecord[]; reason?: string } =
    chosen.kind === 'deploy' ? await deployIntoIdle(parts, request, chosen) : { attempts: [] };
  if (running.reason !== undefined)
    return { ...refused(`${running.reason}; ${noUser}`), attempts: running.attempts };
  await request.at('verifying');
  deps.logger.info(`Verifying ${request.version} on slot ${idle.name} before any user reaches it`);
  const check = await verifyOnSlot(parts, request, idle);
  if (!check.ok) {
    const stopped = await stopRejected(parts, request, idle);
    return {
      ...refused(`rejected before traffic: on slot ${idle.name}, ${check.reason}; ${noUser}`),
      attempts: running.attempts,
      rejected: true,
      facts: {
        slot: idle.name,
        'serving now': chosen.bootstrap ? 'no slot' : `${from.name} (unchanged)`,
        ...(stopped ? { [`slot ${idle.name}`]: 'stopped (stop-command)' } : {}),
      },
      slotCheck: check,
      ...(stopped ? { stoppedSlot: idle.name } : {}),
    };
  }
  if (!(await answers(idle)))
    return {
      ...refused(
        `slot ${idle.name} stopped answering after its verification, so traffic was not switched; ${noUser}`,
      ),
      attempts: running.attempts,
    };
  if (pausing) return pause(parts, request, chosen, { attempts: running.attempts, slotCheck: check });
  const switched = await switchTraffic(parts, request, chosen);
  const facts: Record<string, string> = chosen.bootstrap
    ? { slot: idle.name, 'first release': 'yes: nothing was live before, no slot served', ...switched }
    : { slot: idle.name, 'previous-slot': from.name, ...switched };
  return { ok: true, attempts: running.attempts, facts, slotCheck: check };
}

/**
 * promotion: manual: verified on its slot, the release stops before the switch, holding nothing
 * but its record; a person tries the slot's own address, then promotes or aborts.
 */
function pause(
  { traffic, deps }: Parts,
  request: GoLiveRequest,
  { idle, from, bootstrap }: Chosen,
  done: Pick<Extract<GoLiveOutcome, { ok: true }>, 'attempts' | 'slotCheck'>,
): GoLiveOutcome {
  const preview = slotUrl(idle);
  deps.logger.info(
    `${request.version} is verified on slot ${idle.name} and waits for promotion: try it at ${preview}; ${bootstrap ? 'no user is served yet' : `users stay on ${from.name}`}. Promote it (switch ${traffic.name} to ${idle.name}) with deploy-actions promote or the promote action, or stop it with abort.`,
  );
  return {
    ok: true,
    paused: true,
    ...done,
    facts: {
      slot: idle.name,
      preview,
      'serving now': bootstrap ? 'no slot' : `${from.name} (unchanged)`,
      promotion: 'waiting: promote switches to it, abort stops it',
    },
  };
}

/**
 * A version rejected on its slot stops there at once when stop-command is set: a broken release
 * has no reason to stay warm. True when it was stopped; a failing stop only warns.
 */
export async function stopRejected(parts: Parts, request: GoLiveRequest, slot: Slot) {
  const { settings, retry, deps } = parts;
  if (!settings.scaleDown) return false;
  const { version, environment, signal } = request;
  const stopped = await stopSlot(
    settings.scaleDown.stop,
    { version, environment, slot },
    { ...deps, runner: parts.slotRunner(slot.name), signal },
    retry.attemptTimeoutMs,
  );
  if (stopped) deps.logger.info(`Stopped slot ${slot.name}: ${version} was rejected there`);
  return stopped;
}

/** The probes and version source that name the slot, pointed at `slot`. */
export function verifyOnSlot({ settings, deps }: Parts, request: GoLiveRequest, slot: Slot) {
  return verifyDeployment(settings.slotVerify[slot.name]!, request.version, {
    ...deps,
    signal: request.signal,
  });
}

export function refused(reason: string): Refusal {
  return { ok: false, reason, attempts: [], facts: {} };
}
