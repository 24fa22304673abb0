import { deployEnv, runLogged, withoutOutput } from '../deploy/driver.ts';
import { formatDuration } from '../durations.ts';
import type { DeploySettings } from '../model/release.ts';
import { planDeploy } from '../release/plan-release.ts';
import { type ReleaseDeps, recordFinish, type SessionDeps } from '../release/release-deps.ts';
import {
  evidenceOf,
  type Production,
  type ReleaseEvidence,
  type ReleaseOutcome,
  runRelease,
} from '../release/run-release.ts';
import { releaseWithScaleDown } from '../release/scale-down.ts';
import { planDryRun } from './release-dry-run.ts';

export type DeployDeps = ReleaseDeps;

/** `production` says where a failure left it: the pipeline's recovery decides on it. */
export interface DeployOutcome extends ReleaseEvidence {
  /** paused: verified on its slot, waiting for promotion (blue-green, promotion: manual). */
  readonly result: 'deployed' | 'unchanged' | 'dry-run' | 'failed' | 'paused';
  readonly version: string;
  readonly previous?: string;
  /** One sentence for people. */
  readonly message: string;
}

/**
 * Deploys `settings.version` to `settings.environment`: one release under the environment's
 * lock (see runRelease), the on-failure hook after a failure, and an audit entry however it ends.
 */
export async function runDeploy(settings: DeploySettings, deps: DeployDeps): Promise<DeployOutcome> {
  if (settings.dryRun) return planDryRun({ kind: 'deploy', settings }, deps);
  const started = deps.clock.now();
  deps.logger.info(
    `Deploying ${settings.version} to ${settings.environment} (${settings.driver.kind} driver)`,
  );
  let outcome: DeployOutcome | undefined;
  try {
    outcome = await releaseWithScaleDown(
      settings,
      { kind: 'deploy', version: settings.version },
      deps,
      (locked) => deployLocked(settings, locked, started),
      (released) => released.result === 'deployed',
    );
    if (outcome.result === 'failed' && settings.hooks.onFailure) {
      const hook = await runLogged(deps.runner, deps.logger, 'the on-failure hook', {
        command: settings.hooks.onFailure,
        env: { ...deployEnv(settings), DEPLOY_FAILURE: outcome.message },
        timeoutMs: settings.retry.attemptTimeoutMs,
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

/**
 * The deploy's release, for a caller already holding the lock (the pipeline, which says it
 * recovers itself: its message then says so instead of telling a person to roll back).
 */
export async function deployLocked(
  settings: DeploySettings,
  deps: SessionDeps,
  started = deps.clock.now(),
  recovery: 'by-hand' | 'by-the-pipeline' = 'by-hand',
): Promise<DeployOutcome> {
  const release = await runRelease(
    {
      kind: 'deploy',
      target: settings,
      plan: (state) => planDeploy(state, settings),
      ...(settings.hooks.preDeploy
        ? { preHook: { name: 'pre-deploy', command: settings.hooks.preDeploy } }
        : {}),
      ...(settings.hooks.postDeploy
        ? { postHook: { name: 'post-deploy', command: settings.hooks.postDeploy } }
        : {}),
    },
    deps,
  );
  return describeDeploy(settings, release, deps.clock.now() - started, recovery);
}

function describeDeploy(
  settings: DeploySettings,
  release: ReleaseOutcome,
  tookMs: number,
  recovery: 'by-hand' | 'by-the-pipeline',
): DeployOutcome {
  const { version, environment } = settings;
  const base = { version, ...(release.from ? { previous: release.from } : {}), ...evidenceOf(release) };
  const unrecorded = release.unrecorded
    ? ` It could not be recorded (${release.unrecorded}): the record is behind production until a deploy of ${version} records it.`
    : '';
  if (release.result === 'unchanged')
    return {
      ...base,
      result: 'unchanged',
      message: `${version} is already current on ${environment} (${release.verification?.reason ?? 'verified'}): nothing to do.`,
    };
  if (release.result === 'paused' && release.canary)
    return {
      ...base,
      result: 'paused',
      message: `${version} is the canary on slot ${release.facts.slot} of ${environment}, paused: ${release.facts['serving now']}. Promote it (the promote action, or deploy-actions promote) to go on with its steps, or abort to take its traffic away.${unrecorded}`,
    };
  if (release.result === 'paused')
    return {
      ...base,
      result: 'paused',
      message: `${version} is verified on slot ${release.facts.slot} of ${environment} and waits for promotion: try it at ${release.facts.preview}; ${release.from ? `users still reach ${release.from}` : 'no user is served yet'}. Promote it (the promote action, or deploy-actions promote) to switch traffic to it, or abort to stop it.${unrecorded}`,
    };
  if (release.result === 'released')
    return {
      ...base,
      result: 'deployed',
      message: `Deployed ${version} to ${environment} in ${formatDuration(tookMs)} (${plural(release.attempts.length, 'attempt')}; ${release.verification?.reason}).${unrecorded}`,
    };
  const left: Readonly<Record<Production, string>> = {
    untouched: `Nothing was changed${release.from ? `; ${release.from} is still current` : ''}.`,
    reverted: `The canary's share of users is back on ${release.from ?? 'the stable version'}, which is still current.`,
    rejected: `${release.from ? `${release.from} is still current, and ` : ''}${version} is marked bad: nothing to roll back.`,
    'maybe-changed':
      recovery === 'by-the-pipeline'
        ? 'The driver ran, so production may have changed: the pipeline checks it, and rolls back if it is unhealthy.'
        : `The driver ran, so production may have changed: check it, and roll back to ${release.from ?? 'the last good version'} if it is unhealthy.`,
    'live-unverified':
      recovery === 'by-the-pipeline'
        ? `${version} is live but not verified: the pipeline recovers (see its rollback stage).`
        : `${version} is live but not verified: roll back${release.from ? ` to ${release.from}` : ''} with the rollback action.`,
    'live-verified': '',
    // The reason already says it is unknown, and how to see it.
    unknown: '',
  };
  return {
    ...base,
    result: 'failed',
    // What is reported and recorded never quotes the command's output (the log above shows it, masked).
    message: `Deploying ${version} to ${environment} failed: ${withoutOutput(release.reason ?? '')}. ${left[release.production]}${unrecorded}`,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
