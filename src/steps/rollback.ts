import { withoutOutput } from '../deploy/driver.ts';
import { formatDuration } from '../durations.ts';
import type { RollbackSettings } from '../model/release.ts';
import { planRollback } from '../release/plan-release.ts';
import {
  type ReleaseDeps,
  recordFinish,
  type SessionDeps,
  withEnvironmentLock,
} from '../release/release-deps.ts';
import { evidenceOf, type ReleaseEvidence, runRelease } from '../release/run-release.ts';
import { planDryRun } from './release-dry-run.ts';

export interface RollbackOutcome extends ReleaseEvidence {
  readonly result: 'rolled-back' | 'dry-run' | 'failed';
  readonly from: string;
  readonly to: string;
  readonly message: string;
}

/**
 * Returns an environment to a good version: from what the record says may be live (a release
 * that failed, was interrupted or abandoned; or, when `because` or `to-version` says so, a
 * verified one) to the last good version (or `to-version`). The version left is marked bad; the
 * old one is released by the same skeleton as a deploy, and verified.
 */
export async function runRollback(
  settings: RollbackSettings,
  deps: ReleaseDeps,
  because?: string,
): Promise<RollbackOutcome> {
  if (settings.dryRun) {
    const plan = await planDryRun({ kind: 'rollback', settings }, deps);
    return {
      result: 'dry-run',
      from: plan.previous ?? '',
      to: plan.version,
      production: 'untouched',
      attempts: [],
      facts: plan.facts,
      message: plan.message,
    };
  }
  const started = deps.clock.now();
  let outcome: RollbackOutcome | undefined;
  try {
    const plan = {
      kind: 'rollback',
      ...(settings.toVersion ? { version: settings.toVersion } : {}),
    } as const;
    outcome = await withEnvironmentLock(settings, plan, deps, (locked) =>
      rollbackLocked(settings, locked, because, started),
    );
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

/** The rollback's release, for a caller already holding the lock (the pipeline). */
export async function rollbackLocked(
  settings: RollbackSettings,
  deps: SessionDeps,
  because?: string,
  started = deps.clock.now(),
): Promise<RollbackOutcome> {
  const { environment } = settings;
  let from = '';
  const release = await runRelease(
    {
      kind: 'rollback',
      target: settings,
      plan: (state) => {
        const plan = planRollback(state, { ...settings, ...(because ? { because } : {}) });
        if (plan.kind === 'release') {
          from = plan.from ?? '';
          deps.logger.info(
            `Rolling ${environment} back from ${from} to ${plan.version} (${settings.driver.kind} driver)`,
          );
        }
        return plan;
      },
      badReason: (to) =>
        `${because ? `${because}; ` : ''}rolled back to ${to}${deps.run.runUrl ? ` by ${deps.run.runUrl}` : ''}`,
      ...(settings.onRollback ? { postHook: { name: 'on-rollback', command: settings.onRollback } } : {}),
    },
    deps,
  );
  const to = release.version;
  const base = { from, to, ...evidenceOf(release) };
  const unrecorded = release.unrecorded ? ` It could not be recorded (${release.unrecorded}).` : '';
  if (release.result !== 'failed')
    return {
      ...base,
      result: 'rolled-back',
      message: `Rolled ${environment} back from ${from} (now marked bad) to ${to} in ${formatDuration(deps.clock.now() - started)}; ${release.verification?.reason ?? 'verified'}.${unrecorded}`,
    };
  return {
    ...base,
    result: 'failed',
    message: `Rollback of ${environment} from ${from} to ${to} FAILED: ${withoutOutput(release.reason ?? '')}. ${
      release.production === 'untouched' || release.production === 'rejected'
        ? `Users still reach ${from}, which is not marked bad: nothing changed.`
        : `${from} is marked bad; neither version is verified healthy: act now.`
    }${unrecorded}`,
  };
}
