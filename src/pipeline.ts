import { fileIncident } from './pipeline/incident-stage.ts';
import { pipelineOutcome } from './pipeline/outcome.ts';
import {
  canCheck,
  fail,
  type PipelineDeps,
  type PipelineOutcome,
  type Run,
} from './pipeline/pipeline-run.ts';
import { releaseAndRecover } from './pipeline/recover.ts';
import { StageLog, type StageName, type StageRecord } from './pipeline/stage-log.ts';
import { withEnvironmentLock } from './release/release-deps.ts';
import { scaleDownAfter } from './release/scale-down.ts';
import type { PipelineSettings } from './settings/pipeline.ts';
import { runDeploy } from './steps/deploy.ts';
import { runPreflight } from './steps/preflight.ts';
import { runRunnerGate } from './steps/runner-gate.ts';

export type { PipelineDeps, PipelineOutcome, StageName, StageRecord };

/**
 * The whole safe deploy: preflight → runner gate → (one lock) deploy → health check → recovery
 * as decideRecovery says (check production, roll back, re-verify) → incident opened or
 * resolved. Every stage is recorded; whatever a stage throws is a failed stage, and the report
 * is always complete.
 */
export async function runPipeline(settings: PipelineSettings, deps: PipelineDeps): Promise<PipelineOutcome> {
  const stages = new StageLog(deps.clock, deps.logger);
  const run: Run = {
    facts: {
      autoRollback: Boolean(settings.rollback),
      canCheck: canCheck(settings),
      incidentOn: settings.incidentOn,
    },
    notes: [],
  };
  if (!(await beforeDeploy(settings, deps, stages, run))) return pipelineOutcome(settings, stages, run);
  if (settings.deploy.dryRun) {
    await dryRun(settings, deps, stages, run);
    return pipelineOutcome(settings, stages, run);
  }
  const waitedFrom = stages.mark();
  try {
    await withEnvironmentLock(
      settings.deploy,
      { kind: 'deploy', version: settings.deploy.version },
      deps,
      (held) => releaseAndRecover(settings, { ...deps, ...held }, stages, run),
    );
  } catch (error) {
    // Only the wait for the lock throws here (releaseAndRecover records its own failures, and the
    // lock's release only warns): nothing was touched.
    fail(run, 'deploy', stages.failed('deploy', error, waitedFrom), 'untouched');
  }
  if (deps.signal?.aborted) run.facts = { ...run.facts, interrupted: true };
  // A release paused for promotion has not reached users yet: the incident waits for a good one.
  const settled = !run.failure && !run.facts.interrupted && run.deployed?.result !== 'paused';
  if (settled) await fileIncident(settings, deps, stages, run, 'resolve');
  // Outside the lock: a short scale-down-delay is served here, a long one left to what comes next.
  if (!run.failure && !run.facts.interrupted)
    await scaleDownAfter(settings.deploy, deps, run.pendingScaleDown);
  return pipelineOutcome(settings, stages, run);
}

async function beforeDeploy(settings: PipelineSettings, deps: PipelineDeps, stages: StageLog, run: Run) {
  if (settings.preflight) {
    const checked = await stages.run('preflight', async () => {
      const outcome = await runPreflight(settings.preflight!, {
        ...deps,
        ...deps.preflight,
        readState: (environment) => deps.backend.read(environment),
      });
      if (outcome.result === 'failed') throw new Error(outcome.message);
      return { result: outcome.result, detail: outcome.message, value: undefined };
    });
    if (!checked.ok) return fail(run, 'preflight', checked, 'untouched');
  }
  if (settings.gate) {
    const gated = await stages.run('gate', async () => {
      const decision = await runRunnerGate(settings.gate!, deps);
      if (!decision.runner) throw new Error(`no healthy runner: ${decision.reason}`);
      return { result: 'passed', detail: decision.reason, value: undefined };
    });
    if (!gated.ok) return fail(run, 'gate', gated, 'untouched');
  }
  return true;
}

async function dryRun(settings: PipelineSettings, deps: PipelineDeps, stages: StageLog, run: Run) {
  const planned = await stages.run('deploy', async () => {
    const outcome = await runDeploy(settings.deploy, deps);
    return { result: 'dry-run', detail: outcome.message, value: outcome };
  });
  if (!planned.ok) return fail(run, 'deploy', planned, 'untouched');
  run.deployed = planned.value;
  if (settings.health)
    stages.planned('health-check', `would check ${settings.health.probes.map((p) => p.name).join(', ')}`);
  if (settings.rollback)
    stages.planned(
      'rollback',
      `on failure: would check production and roll back to ${planned.value.previous ?? 'the last good version'}, then re-verify`,
    );
  if (settings.incident.kind !== 'none')
    stages.planned(
      'incident',
      `would open an incident (${settings.incident.kind}) on failure, or resolve an open one`,
    );
  return true;
}
