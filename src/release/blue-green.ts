import type { DeployDriver } from '../deploy/driver.ts';
import { RetriesExhaustedError, type RetryPolicy, runWithRetry } from '../deploy/retry.ts';
import { type VerifyDeps, verifyDeployment } from '../deploy/verify.ts';
import type { Slot, StrategySettings } from '../model/release.ts';
import type { TrafficSwitch } from '../traffic/traffic-switch.ts';
import { slotContents } from './release-state.ts';
import type { GoLiveOutcome, ReleaseStrategy } from './strategy.ts';

type BlueGreen = Extract<StrategySettings, { kind: 'blue-green' }>;

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
  const names = settings.slots.map((slot) => slot.name);
  return {
    name: 'blue-green',
    changesInPlace: false,
    plan: (version) =>
      `${driver.plan(version)} in the idle slot, verify it there, then switch ${traffic.name}`,
    async goLive({ environment, version, previous, signal, state, placed, switched }) {
      const live = await traffic.live();
      if (live.length !== 1) {
        const fix = traffic.fixCommand(
          live[0] ?? names[0]!,
          names.filter((n) => n !== (live[0] ?? names[0])),
        );
        return refused(
          `${traffic.name} sends traffic to ${live.length === 0 ? 'no slot' : live.join(' and ')}, not one: nothing was changed. Put it on the slot that should serve, e.g. ${fix}`,
        );
      }
      const from = settings.slots.find((slot) => slot.name === live[0])!;
      const idle = settings.slots.find((slot) => slot.name !== from.name)!;
      const recorded = slotContents(state).get(from.name);
      if (previous && recorded && recorded.version !== previous)
        return refused(
          `the record says ${previous} is live, but ${traffic.name} serves slot ${from.name}, which last ran ${recorded.version}: nothing was changed. Check which slot should serve, then put traffic there, e.g. ${traffic.fixCommand(from.name, [idle.name])}`,
        );
      const noUser = `no user reached it; they still reach ${previous ?? 'what ran before'} on ${from.name}`;
      await placed(idle.name);
      const warm = slotContents(state).get(idle.name);
      let attempts: GoLiveOutcome['attempts'] = [];
      if (
        warm?.version === version &&
        !warm.stopped &&
        (warm.status === 'good' || warm.status === 'failed')
      ) {
        logger.info(`Slot ${idle.name} still runs ${version}: verifying it there, then switching back to it`);
      } else {
        logger.info(
          `Deploying ${version} into the idle slot ${idle.name} (${address(idle)}); users stay on ${from.name}`,
        );
        try {
          const run = await runWithRetry(retry, logger, signal, (attempt) =>
            driver.run({
              version,
              environment,
              ...(previous ? { previous } : {}),
              attempt,
              timeoutMs: retry.attemptTimeoutMs,
              signal,
              slot: idle,
            }),
          );
          attempts = run.attempts;
        } catch (error) {
          if (signal.aborted || !(error instanceof RetriesExhaustedError)) throw error;
          return { ...refused(`${error.message} in slot ${idle.name}; ${noUser}`), attempts: error.attempts };
        }
      }
      logger.info(`Verifying ${version} on slot ${idle.name} before any user reaches it`);
      const check = await verifyDeployment(settings.slotVerify[idle.name]!, version, { ...deps, signal });
      if (!check.ok)
        return {
          ...refused(`rejected before traffic: on slot ${idle.name}, ${check.reason}; ${noUser}`),
          attempts,
          rejected: true,
        };
      await traffic.switchTo(idle.name, from.name, signal);
      await switched();
      const now = await traffic.live();
      if (now.length !== 1 || now[0] !== idle.name)
        throw new Error(
          `after the switch ${traffic.name} serves ${now.join(' and ') || 'no slot'}, not ${idle.name}`,
        );
      logger.info(
        `Switched ${traffic.name} from ${from.name} to ${idle.name}: users reach ${version}; ${from.name} keeps running ${previous ?? 'the old version'}`,
      );
      return { ok: true, attempts, facts: { slot: idle.name, 'previous-slot': from.name } };
    },
  };
}

function refused(reason: string): Extract<GoLiveOutcome, { ok: false }> {
  return { ok: false, reason, attempts: [], facts: {}, touched: false };
}

const address = (slot: Slot) => `${slot.host}:${slot.port}`;
