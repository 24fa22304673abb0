import { verifyDeployment } from '../deploy/verify.ts';
import { describeError } from '../errors.ts';
import type { SessionDeps } from '../release/release-deps.ts';
import { stopDueSlot } from '../release/scale-down.ts';
import type { PipelineSettings } from '../settings/pipeline.ts';
import { deployLocked } from '../steps/deploy.ts';
import { runHealthCheck } from '../steps/health-check.ts';
import { rollbackLocked } from '../steps/rollback.ts';
import { decideRecovery, type Recovery, type RecoveryFacts } from './decide-recovery.ts';
import { fileIncident } from './incident-stage.ts';
import { fail, failWith, type PipelineDeps, type Run } from './pipeline-run.ts';
import type { StageLog, StageName } from './stage-log.ts';

/** What every stage under the lock works with. */
interface Held {
  readonly settings: PipelineSettings;
  readonly deps: PipelineDeps & SessionDeps;
  readonly stages: StageLog;
  readonly run: Run;
}

/**
 * Under the lock, as named steps: the release, the health check through the public address,
 * the old slot's scale-down after a verified release, then recovery until production is settled.
 */
export async function releaseAndRecover(
  settings: PipelineSettings,
  deps: PipelineDeps & SessionDeps,
  stages: StageLog,
  run: Run,
): Promise<void> {
  const held: Held = { settings, deps, stages, run };
  await stopDueSlot(settings.deploy, deps);
  if ((await release(held)) && settings.health) await publicHealth(held);
  noteInterruption(held);
  // Verified through the public address too: the old slot may go after scale-down-delay.
  if (!run.failure && run.deployed?.result === 'deployed') {
    const pending = await stopDueSlot(settings.deploy, deps);
    if (pending) run.pendingScaleDown = pending;
  }
  await recover(held);
}

/**
 * The deploy stage: true when the version went live and was verified (or was already current);
 * false when it failed, or paused for promotion.
 */
async function release({ settings, deps, stages, run }: Held): Promise<boolean> {
  const deployed = await stages.run('deploy', async () => {
    const outcome = await deployLocked(
      settings.deploy,
      deps,
      undefined,
      settings.rollback ? 'by-the-pipeline' : 'by-hand',
    );
    const result = outcome.result === 'deployed' ? 'passed' : outcome.result;
    return { result, detail: outcome.message, value: outcome };
  });
  // A release's own faults come back as failed outcomes; a throw here came before it began (a refusal).
  if (!deployed.ok) return fail(run, 'deploy', deployed, 'untouched');
  run.deployed = deployed.value;
  if (deployed.value.verification?.health) run.health = deployed.value.verification.health;
  // Paused before the switch: users reach what they did, there is nothing public to check yet.
  if (deployed.value.result === 'paused') return false;
  if (deployed.value.result !== 'failed') return true;
  return failWith(run, 'deploy', deployed.value.message, deployed.value.production);
}

/** The pipeline's health check after a release: users reach the new version, unverified by it. */
async function publicHealth(held: Held): Promise<void> {
  const checked = await healthStage('health-check', held);
  if (checked.ok && checked.value.healthy) return;
  if (!checked.ok) {
    fail(held.run, 'health-check', checked, 'live-unverified');
    return;
  }
  held.run.health = checked.value.report;
  failWith(held.run, 'health-check', checked.value.message, 'live-unverified');
}

type Action = Extract<Recovery, { next: 'roll-back' | 'check-production' | 're-verify' }>['next'];

/** Each recovery step, as decideRecovery names it: it acts, and returns what it learnt. */
const ACTIONS: Readonly<Record<Action, (held: Held) => Promise<Partial<RecoveryFacts>>>> = {
  'roll-back': rollBack,
  'check-production': async (held) => ({ production: await healthOf('check-production', held) }),
  're-verify': async (held) => ({ reverified: await healthOf('re-verify', held) }),
};

/** Asks decideRecovery what to do next, does it, adds what it learnt, until it says to stop or report. */
async function recover(held: Held): Promise<void> {
  for (;;) {
    const next = decideRecovery(held.run.facts);
    if (next.next === 'stop' || next.next === 'resolve-incident') return;
    if (next.next === 'open-incident')
      return fileIncident(held.settings, held.deps, held.stages, held.run, 'open', next.rollback);
    held.run.facts = { ...held.run.facts, ...(await ACTIONS[next.next](held)) };
    noteInterruption(held);
  }
}

/** Back to the last good version (blue-green: switched back first, then verified). */
async function rollBack({ settings, deps, stages, run }: Held): Promise<Partial<RecoveryFacts>> {
  const because = `${run.failure?.stage} failed`;
  const back = await stages.run('rollback', async () => {
    const outcome = await rollbackLocked(settings.rollback!, deps, because);
    return {
      result: outcome.result === 'failed' ? ('failed' as const) : ('passed' as const),
      detail: outcome.message,
      value: outcome,
    };
  });
  const succeeded = back.ok && back.value.result !== 'failed';
  if (succeeded) run.rolledBackTo = back.value.to;
  else run.notes.push(back.ok ? back.value.message : describeError(back.error));
  return { rollback: succeeded ? 'succeeded' : 'failed' };
}

/** Production's health, as a stage: healthy or not (a stage that could not run is not healthy). */
async function healthOf(name: StageName, held: Held): Promise<'healthy' | 'unhealthy'> {
  const checked = await healthStage(name, held);
  if (checked.ok && checked.value.healthy) return 'healthy';
  held.run.notes.push(`${name}: ${checked.ok ? checked.value.message : describeError(checked.error)}`);
  return 'unhealthy';
}

/** Production's health: the health probes, else the deploy's verify probes and version for what should be live. */
async function healthStage(name: StageName, { settings, deps, stages }: Held) {
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

function noteInterruption({ deps, run }: Held): void {
  if (deps.signal?.aborted) run.facts = { ...run.facts, interrupted: true };
}
