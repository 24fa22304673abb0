import { verifyDeployment } from '../deploy/verify.ts';
import { describeError } from '../errors.ts';
import type { SessionDeps } from '../release/release-deps.ts';
import { scaleDownOldSlot } from '../release/scale-down.ts';
import type { PipelineSettings } from '../settings/pipeline.ts';
import { deployLocked } from '../steps/deploy.ts';
import { runHealthCheck } from '../steps/health-check.ts';
import { rollbackLocked } from '../steps/rollback.ts';
import { decideRecovery } from './decide-recovery.ts';
import { fileIncident } from './incident-stage.ts';
import { fail, message, type PipelineDeps, type Run } from './pipeline-run.ts';
import type { StageLog, StageName } from './stage-log.ts';

export /** Under the lock: the release, the health check, and recovery until production is settled. */
async function releaseAndRecover(
  settings: PipelineSettings,
  deps: PipelineDeps & SessionDeps,
  stages: StageLog,
  run: Run,
) {
  const deployed = await stages.run('deploy', async () => {
    const outcome = await deployLocked(settings.deploy, deps);
    const result = outcome.result === 'deployed' ? 'passed' : outcome.result;
    return { result, detail: outcome.message, value: outcome };
  });
  if (!deployed.ok) {
    // A release's own faults come back as failed outcomes; a throw here came before it began (a refusal).
    fail(run, 'deploy', deployed, 'untouched');
  } else {
    run.deployed = deployed.value;
    if (deployed.value.verification?.health) run.health = deployed.value.verification.health;
    if (deployed.value.result === 'failed')
      fail(
        run,
        'deploy',
        { ok: false, kind: 'failed', error: new Error(deployed.value.message) },
        deployed.value.production,
      );
    else if (settings.health) {
      const checked = await healthStage('health-check', settings, deps, stages);
      if (!checked.ok || !checked.value.healthy) {
        if (checked.ok) run.health = checked.value.report;
        fail(
          run,
          'health-check',
          checked.ok ? { ok: false, kind: 'failed', error: new Error(checked.value.message) } : checked,
          'live-unverified',
        );
      }
    }
  }
  if (deps.signal?.aborted) run.facts = { ...run.facts, interrupted: true };
  // Verified through the public address too: the old slot may go after scale-down-delay.
  if (!run.failure && run.deployed?.result === 'deployed')
    await scaleDownOldSlot(settings.deploy, deps).catch((error: unknown) =>
      deps.logger.warning(`the old slot was not stopped: ${describeError(error)}`),
    );
  for (;;) {
    const next = decideRecovery(run.facts);
    if (next.next === 'stop' || next.next === 'resolve-incident') return;
    if (next.next === 'open-incident')
      return fileIncident(settings, deps, stages, run, 'open', next.rollback);
    if (next.next === 'roll-back') {
      const because = `${run.failure?.stage} failed`;
      const back = await stages.run('rollback', async () => {
        const outcome = await rollbackLocked(settings.rollback!, deps, because);
        if (outcome.result === 'failed') throw new Error(outcome.message);
        return { result: 'passed', detail: outcome.message, value: outcome };
      });
      if (back.ok) run.rolledBackTo = back.value.to;
      else run.notes.push(message(back));
      run.facts = { ...run.facts, rollback: back.ok ? 'succeeded' : 'failed' };
    } else {
      const name = next.next === 'check-production' ? 'check-production' : 're-verify';
      const checked = await healthStage(name, settings, deps, stages);
      const healthy = checked.ok && checked.value.healthy ? 'healthy' : 'unhealthy';
      if (healthy === 'unhealthy')
        run.notes.push(`${name}: ${checked.ok ? checked.value.message : message(checked)}`);
      run.facts = {
        ...run.facts,
        ...(name === 'check-production' ? { production: healthy } : { reverified: healthy }),
      };
    }
    if (deps.signal?.aborted) run.facts = { ...run.facts, interrupted: true };
  }
}

/** Production's health: the health probes, else the deploy's verify probes and version for what should be live. */
async function healthStage(
  name: StageName,
  settings: PipelineSettings,
  deps: PipelineDeps & SessionDeps,
  stages: StageLog,
) {
  return stages.run(name, async () => {
    if (settings.health) {
      const checked = await runHealthCheck(settings.health, deps);
      const healthy = checked.verdict === 'successful';
      return {
        result: healthy ? 'passed' : 'failed',
        detail: checked.message,
        value: { healthy, report: checked.report, message: checked.message },
      };
    }
    const state = await deps.session.read();
    const live = state.current ?? settings.deploy.version;
    const verified = await verifyDeployment(settings.deploy.verify, live, deps);
    const detail = verified.ok
      ? `${live} serves, verified (${verified.reason})`
      : `${live}: ${verified.reason}`;
    return {
      result: verified.ok ? 'passed' : 'failed',
      detail,
      value: { healthy: verified.ok, report: verified.health, message: detail },
    };
  });
}
