import { createDriver } from '../deploy/create-driver.ts';
import { deployEnv, runLogged } from '../deploy/driver.ts';
import {
  driveAndVerify,
  type ReleaseDeps,
  recordFinish,
  recordRelease,
  releaseRecord,
  withEnvironmentLock,
} from '../deploy/release-run.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import { findBad, lastGoodBefore, markBad } from '../deploy/state-changes.ts';
import type { Verification } from '../deploy/verify.ts';
import { formatDuration } from '../durations.ts';
import { ConfigurationError } from '../errors.ts';
import type { EnvironmentState } from '../ports.ts';
import type { RollbackSettings } from '../settings/deploy.ts';

export interface RollbackOutcome {
  readonly result: 'rolled-back' | 'dry-run' | 'failed';
  readonly from: string;
  readonly to: string;
  readonly attempts: readonly AttemptRecord[];
  readonly verification?: Verification;
  readonly message: string;
}

/**
 * Returns an environment to the last good version before the current one (or `to-version`):
 * marks the current version bad, runs the same driver for the old one, and verifies it. A
 * rollback that fails its verification is its own loud failure, naming both versions.
 */
export async function runRollback(settings: RollbackSettings, deps: ReleaseDeps): Promise<RollbackOutcome> {
  const driver = createDriver(settings.driver, deps.runner, deps.logger);
  const started = deps.clock.now();
  if (settings.dryRun) {
    const { from, to } = chooseVersions(await deps.store.read(settings.environment), settings);
    const message = `Dry run: would roll ${settings.environment} back from ${from} to ${to}: mark ${from} bad, ${driver.plan(to)}, then verify.`;
    deps.logger.info(message);
    return { result: 'dry-run', from, to, attempts: [], message };
  }
  let outcome: RollbackOutcome | undefined;
  try {
    outcome = await withEnvironmentLock(settings, deps, async () => {
      const state = await deps.store.read(settings.environment);
      const { from, to } = chooseVersions(state, settings);
      deps.logger.info(`Rolling ${settings.environment} back from ${from} to ${to} (${driver.name} driver)`);
      const why = `rolled back to ${to}${deps.run.runUrl ? ` by ${deps.run.runUrl}` : ''}`;
      const { drive } = await recordRelease(
        settings,
        deps,
        markBad(state, from, why),
        releaseRecord(to, 'rollback', deps),
        () => driveAndVerify(settings, driver, to, from, deps).then((drive) => ({ drive })),
      );
      const base = {
        from,
        to,
        attempts: drive.attempts,
        ...(drive.verification ? { verification: drive.verification } : {}),
      };
      if (!drive.ok) {
        return {
          ...base,
          result: 'failed',
          message: `Rollback of ${settings.environment} from ${from} (marked bad) to ${to} FAILED: ${drive.reason}. Neither version is verified healthy: act now.`,
        } as const;
      }
      if (settings.onRollback) {
        const hook = await runLogged(deps.runner, deps.logger, 'the on-rollback hook', {
          command: settings.onRollback,
          env: {
            ...deployEnv({ version: to, environment: settings.environment, previous: from }),
            DEPLOY_ROLLBACK_FROM: from,
          },
        });
        if (hook.failure) deps.logger.warning(`${hook.failure} (the rollback itself is done and verified)`);
      }
      const took = formatDuration(deps.clock.now() - started);
      return {
        ...base,
        result: 'rolled-back',
        message: `Rolled ${settings.environment} back from ${from} (now marked bad) to ${to} in ${took}; ${drive.verification?.reason ?? 'verified'}.`,
      } as const;
    });
    return outcome;
  } finally {
    await recordFinish(
      deps,
      settings,
      {
        action: 'rollback',
        version: outcome?.to ?? settings.toVersion ?? null,
        from: outcome?.from ?? null,
        result: outcome?.result ?? (deps.signal?.aborted ? 'interrupted' : 'error'),
        durationMs: Math.round(deps.clock.now() - started),
        attempts: outcome?.attempts.length ?? 0,
      },
      outcome?.verification,
    );
  }
}

/** From the current version to the chosen one; every reason not to is a ConfigurationError naming the input. */
function chooseVersions(state: EnvironmentState, settings: RollbackSettings): { from: string; to: string } {
  const from = state.current;
  if (!from)
    throw new ConfigurationError(
      'environment',
      `no deploy of ${settings.environment} is recorded in the state, so there is nothing to roll back`,
    );
  const to = settings.toVersion ?? lastGoodBefore(state, from);
  if (!to) {
    throw new ConfigurationError(
      'to-version',
      `no good version before ${from} is recorded for ${settings.environment}; name one with to-version`,
    );
  }
  if (to === from)
    throw new ConfigurationError(
      'to-version',
      `${to} is already the current version of ${settings.environment}`,
    );
  if (!state.releases.some((r) => r.version === to)) {
    const known = [...new Set(state.releases.map((r) => r.version))].join(', ');
    throw new ConfigurationError(
      'to-version',
      `${to} was never deployed to ${settings.environment} (known: ${known})`,
    );
  }
  const bad = findBad(state, to);
  if (bad && !settings.force) {
    throw new ConfigurationError(
      'to-version',
      `${to} is marked bad (${bad.reason ?? 'no reason recorded'}); choose another, or set force: true`,
    );
  }
  return { from, to };
}
