import type { DeployDriver } from '../deploy/driver.ts';
import type { AttemptRecord, RetryPolicy } from '../deploy/retry.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { Slot, StrategySettings } from '../model/release.ts';
import type { EnvironmentState } from '../ports.ts';
import type { TrafficSwitch } from '../traffic/traffic-switch.ts';
import { drive } from './drive.ts';
import { slotContents } from './release-state.ts';
import type { GoLiveOutcome, GoLiveRequest, ReleaseStrategy } from './strategy.ts';

type BlueGreen = Extract<StrategySettings, { kind: 'blue-green' }>;
type Refusal = Extract<GoLiveOutcome, { ok: false }>;

/**
 * Blue-green (after Argo Rollouts' blueGreen): the version is made to run in the idle slot,
 * verified there before any user reaches it, then traffic switches to it; the old slot keeps
 * running, warm for an instant switch back. A version the idle slot still runs (a rollback to
 * the one just replaced) is not deployed again: it is verified and switched to.
 */
export function blueGreenStrategy(
  driver: DeployDriver,
  settings: BlueGreen,
  retry: RetryPolicy & { readonly attemptTimeoutMs: number },
  traffic: TrafficSwitch,
  deps: VerifyDeps,
): ReleaseStrategy {
  const { logger } = deps;

  /** Which slot serves, as the proxy says, checked against the record; or why nothing may change. */
  async function slotsNow(
    state: EnvironmentState,
    previous?: string,
  ): Promise<{ from: Slot; idle: Slot } | Refusal> {
    const names = settings.slots.map((slot) => slot.name);
    const live = await traffic.live();
    if (live.length !== 1) {
      const serve = live[0] ?? names[0]!;
      return refused(
        `${traffic.name} sends traffic to ${live.length === 0 ? 'no slot' : live.join(' and ')}, not one: nothing was changed. Put it on the slot that should serve, e.g. ${traffic.fixCommand(
          serve,
          names.filter((n) => n !== serve),
        )}`,
      );
    }
    const from = settings.slots.find((slot) => slot.name === live[0])!;
    const idle = settings.slots.find((slot) => slot.name !== from.name)!;
    const recorded = slotContents(state).get(from.name);
    if (previous && recorded && recorded.version !== previous)
      return refused(
        `the record says ${previous} is live, but ${traffic.name} serves slot ${from.name}, which last ran ${recorded.version}: nothing was changed. Check which slot should serve, then put traffic there, e.g. ${traffic.fixCommand(from.name, [idle.name])}`,
      );
    return { from, idle };
  }

  /** The version running in the idle slot: still there (warm), or made to run by the driver. */
  async function runInIdle(
    request: GoLiveRequest,
    idle: Slot,
    from: Slot,
  ): Promise<
    { attempts: readonly AttemptRecord[] } | { reason: string; attempts: readonly AttemptRecord[] }
  > {
    const { version } = request;
    const warm = slotContents(request.state).get(idle.name);
    if (warm?.version === version && !warm.stopped && (warm.status === 'good' || warm.status === 'failed')) {
      logger.info(`Slot ${idle.name} still runs ${version}: verifying it there, then switching back to it`);
      return { attempts: [] };
    }
    logger.info(
      `Deploying ${version} into the idle slot ${idle.name} (${idle.host}:${idle.port}); users stay on ${from.name}`,
    );
    const { environment, previous, signal } = request;
    const driven = await drive(driver, retry, logger, {
      environment,
      version,
      ...(previous ? { previous } : {}),
      slot: idle,
      signal,
    });
    return driven.ok
      ? { attempts: driven.attempts }
      : { reason: `${driven.reason} in slot ${idle.name}`, attempts: driven.attempts };
  }

  /** Traffic to `idle`, read back: switched means the proxy says so. */
  async function switchTraffic(request: GoLiveRequest, idle: Slot, from: Slot): Promise<void> {
    await traffic.switchTo(idle.name, from.name, request.signal);
    await request.switched();
    const now = await traffic.live();
    if (now.length !== 1 || now[0] !== idle.name)
      throw new Error(
        `after the switch ${traffic.name} serves ${now.join(' and ') || 'no slot'}, not ${idle.name}`,
      );
    logger.info(
      `Switched ${traffic.name} from ${from.name} to ${idle.name}: users reach ${request.version}; ${from.name} keeps running ${request.previous ?? 'the old version'}`,
    );
  }

  return {
    name: 'blue-green',
    changesInPlace: false,
    plan: (version) =>
      `${driver.plan(version)} in the idle slot, verify it there, then switch ${traffic.name}`,
    async goLive(request) {
      const { version, previous, signal } = request;
      const slots = await slotsNow(request.state, previous);
      if ('ok' in slots) return slots;
      const { from, idle } = slots;
      const noUser = `no user reached it; they still reach ${previous ?? 'what ran before'} on ${from.name}`;
      await request.placed(idle.name);
      const running = await runInIdle(request, idle, from);
      if ('reason' in running)
        return { ...refused(`${running.reason}; ${noUser}`), attempts: running.attempts };
      logger.info(`Verifying ${version} on slot ${idle.name} before any user reaches it`);
      const check = await verifyDeployment(settings.slotVerify[idle.name]!, version, { ...deps, signal });
      if (!check.ok)
        return {
          ...refused(`rejected before traffic: on slot ${idle.name}, ${check.reason}; ${noUser}`),
          attempts: running.attempts,
          rejected: true,
        };
      await switchTraffic(request, idle, from);
      return { ok: true, attempts: running.attempts, facts: { slot: idle.name, 'previous-slot': from.name } };
    },
  };
}

function refused(reason: string): Refusal {
  return { ok: false, reason, attempts: [], facts: {}, touched: false };
}
