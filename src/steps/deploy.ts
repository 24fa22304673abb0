import { createDriver } from '../deploy/create-driver.ts';
import { type DeployDriver, deployEnv, runLogged } from '../deploy/driver.ts';
import {
  driveAndVerify,
  type ReleaseDeps,
  recordFinish,
  recordRelease,
  releaseRecord,
  withEnvironmentLock,
} from '../deploy/release-run.ts';
import type { AttemptRecord } from '../deploy/retry.ts';
import { currentIsGood, findBad } from '../deploy/state-changes.ts';
import { type Verification, verifyDeployment } from '../deploy/verify.ts';
import { formatDuration } from '../durations.ts';
import { ConfigurationError } from '../errors.ts';
import type { DeploySettings } from '../settings/deploy.ts';

export type DeployDeps = ReleaseDeps;

export interface DeployOutcome {
  readonly result: 'deployed' | 'unchanged' | 'dry-run' | 'failed';
  readonly version: string;
  readonly previous?: string;
  readonly attempts: readonly AttemptRecord[];
  readonly facts: Readonly<Record<string, number | string>>;
  readonly verification?: Verification;
  /** One sentence for people. */
  readonly message: string;
}

/**
 * Deploys `settings.version` to `settings.environment`: under the environment's lock, refusing
 * a version marked bad, skipping one already current and healthy, running the driver with
 * retries, verifying health and version, and recording every step in state and the audit log.
 * On cancel it stops the driver's process tree, marks the release interrupted, releases the
 * lock and throws InterruptedError saying what was left.
 */
export async function runDeploy(settings: DeploySettings, deps: DeployDeps): Promise<DeployOutcome> {
  const driver = createDriver(settings.driver, deps.runner, deps.logger);
  if (settings.dryRun) return planOnly(settings, deps, driver);
  const started = deps.clock.now();
  deps.logger.info(`Deploying ${settings.version} to ${settings.environment} (${driver.name} driver)`);
  let outcome: DeployOutcome | undefined;
  try {
    outcome = await withEnvironmentLock(settings, deps, async () => {
      const state = await deps.store.read(settings.environment);
      const previous = state.current;
      const base = { version: settings.version, ...(previous ? { previous } : {}) };
      const bad = findBad(state, settings.version);
      if (bad && !settings.force) {
        throw new ConfigurationError(
          'version',
          `${settings.version} is marked bad (${bad.reason ?? 'no reason recorded'}); deploy another version, or set force: true`,
        );
      }
      if (state.current === settings.version && currentIsGood(state) && !settings.force) {
        const verification = await verifyDeployment(settings.verify, settings.version, deps);
        if (verification.ok) {
          return {
            ...base,
            result: 'unchanged',
            attempts: [],
            facts: {},
            verification,
            message: `${settings.version} is already current on ${settings.environment} (${verification.reason}): nothing to do.`,
          } as const;
        }
        deps.logger.warning(
          `${settings.version} is current but not verified (${verification.reason}): deploying it again`,
        );
      }
      await runHook(settings.hooks.preDeploy, 'pre-deploy', settings, previous, deps, true);
      const result = await recordRelease(
        settings,
        deps,
        state,
        releaseRecord(settings.version, 'deploy', deps),
        (current) =>
          driveAndVerify(settings, driver, settings.version, previous, deps).then((drive) => ({
            drive,
            current,
          })),
      );
      const { drive } = result;
      if (!drive.ok) {
        const advice =
          drive.stage === 'verification'
            ? ` Roll back${previous ? ` to ${previous}` : ''} with the rollback action.`
            : ` The state still says ${previous ?? 'nothing'} is current.`;
        return {
          ...base,
          result: 'failed',
          attempts: drive.attempts,
          facts: drive.facts,
          ...(drive.verification ? { verification: drive.verification } : {}),
          message: `Deploying ${settings.version} to ${settings.environment} failed: ${drive.reason}.${advice}`,
        } as const;
      }
      await runHook(settings.hooks.postDeploy, 'post-deploy', settings, previous, deps, false);
      const took = formatDuration(deps.clock.now() - started);
      return {
        ...base,
        result: 'deployed',
        attempts: drive.attempts,
        facts: drive.facts,
        verification: drive.verification,
        message: `Deployed ${settings.version} to ${settings.environment} in ${took} (${plural(drive.attempts.length, 'attempt')}; ${drive.verification.reason}).`,
      } as const;
    });
    if (outcome.result === 'failed' && settings.hooks.onFailure) {
      const hook = await runLogged(deps.runner, deps.logger, 'the on-failure hook', {
        command: settings.hooks.onFailure,
        env: { ...deployEnv(settings), DEPLOY_FAILURE: outcome.message },
      });
      if (hook.failure) deps.logger.warning(hook.failure);
    }
    return outcome;
  } finally {
    await recordFinish(
      deps,
      settings,
      {
        action: 'deploy',
        version: settings.version,
        from: outcome?.previous ?? null,
        result: outcome?.result ?? (deps.signal?.aborted ? 'interrupted' : 'error'),
        durationMs: Math.round(deps.clock.now() - started),
        attempts: outcome?.attempts.length ?? 0,
      },
      outcome?.verification,
    );
  }
}

async function runHook(
  command: string | undefined,
  name: string,
  settings: DeploySettings,
  previous: string | undefined,
  deps: DeployDeps,
  blocking: boolean,
): Promise<void> {
  if (!command) return;
  const hook = await runLogged(deps.runner, deps.logger, `the ${name} hook`, {
    command,
    env: deployEnv({ ...settings, ...(previous ? { previous } : {}) }),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!hook.failure) return;
  if (blocking) throw new ConfigurationError(name, `${hook.failure}; nothing was deployed`);
  deps.logger.warning(`${hook.failure} (the deploy itself is done and verified)`);
}

async function planOnly(
  settings: DeploySettings,
  deps: DeployDeps,
  driver: DeployDriver,
): Promise<DeployOutcome> {
  const state = await deps.store.read(settings.environment);
  const lines = [
    'Dry run: nothing will change.',
    `  environment: ${settings.environment} (current: ${state.current ?? 'none'} → target: ${settings.version})`,
    `  driver:      ${driver.plan(settings.version)}`,
    `  retry:       ${settings.retry.attempts} attempts, ${formatDuration(settings.retry.waitMs)} wait ×${settings.retry.factor}, ${formatDuration(settings.retry.attemptTimeoutMs)} per attempt`,
    `  lock:        ${settings.environment} (wait up to ${formatDuration(settings.lockTimeoutMs)})`,
    `  hooks:       ${
      Object.entries(settings.hooks)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ') || 'none'
    }`,
    `  verify:      ${[...settings.verify.probes.map((p) => p.name), settings.verify.versionCommand ?? '', settings.verify.versionUrl?.href ?? ''].filter(Boolean).join(', ') || 'nothing'}`,
  ];
  if (findBad(state, settings.version))
    lines.push(
      `  refused:     ${settings.version} is marked bad${settings.force ? ' (force: deploying anyway)' : ''}`,
    );
  for (const line of lines) deps.logger.info(line);
  let facts: Readonly<Record<string, number | string>> = {};
  if (driver.checkRun) {
    deps.logger.info(`Check run (${driver.name}): what would change`);
    const check = await driver.checkRun({
      version: settings.version,
      environment: settings.environment,
      ...(state.current ? { previous: state.current } : {}),
      timeoutMs: settings.retry.attemptTimeoutMs,
      signal: deps.signal ?? new AbortController().signal,
    });
    facts = check.facts ?? {};
    lines.push(`  check run:   ${check.summary}`);
    deps.logger.info(lines.at(-1)!);
  }
  return {
    result: 'dry-run',
    version: settings.version,
    ...(state.current ? { previous: state.current } : {}),
    attempts: [],
    facts,
    message: lines.join('\n'),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
