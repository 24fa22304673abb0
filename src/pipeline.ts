import { withoutOutput } from './deploy/driver.ts';
import { verifyDeployment } from './deploy/verify.ts';
import { describeError } from './errors.ts';
import type { CheckResult } from './health/engine.ts';
import { decideRecovery, type RecoveryFacts, type RollbackReport } from './pipeline/decide-recovery.ts';
import {
  type FailureKind,
  type Ran,
  StageLog,
  type StageName,
  type StageRecord,
} from './pipeline/stage-log.ts';
import type { IssueTracker, WriteTextFile } from './ports.ts';
import type { PreflightDeps } from './preflight/run-check.ts';
import { type ReleaseDeps, type SessionDeps, withEnvironmentLock } from './release/release-deps.ts';
import { type Production, ReleaseFault } from './release/run-release.ts';
import type { PipelineSettings } from './settings/pipeline.ts';
import { type DeployOutcome, deployLocked, runDeploy } from './steps/deploy.ts';
import { runHealthCheck } from './steps/health-check.ts';
import { type IncidentOutcome, runIncident } from './steps/incident.ts';
import { runPreflight } from './steps/preflight.ts';
import { rollbackLocked } from './steps/rollback.ts';
import { runRunnerGate } from './steps/runner-gate.ts';

export type { StageName, StageRecord };

export interface PipelineOutcome {
  readonly result: 'deployed' | 'unchanged' | 'rolled-back' | 'failed' | 'dry-run';
  readonly version: string;
  readonly previous?: string;
  readonly failedStage?: StageName;
  /** How the failed stage failed: bad input (the CLI exits 2), cancelled (130), or anything else. */
  readonly failure?: FailureKind;
  readonly stages: readonly StageRecord[];
  readonly incident?: Pick<IncidentOutcome, 'action' | 'number' | 'url' | 'failure'>;
  /** The record could not be written: why. */
  readonly unrecorded?: string;
  /** One sentence for people. */
  readonly message: string;
}

export interface PipelineDeps extends ReleaseDeps {
  readonly writeFile: WriteTextFile;
  readonly preflight: Omit<PreflightDeps, 'runner' | 'readState'>;
  /** Where incidents go; none means no incident stage. */
  readonly tracker?: IssueTracker;
}

/** What the pipeline gathered: the recovery facts, plus what the incident and the outcome tell. */
interface Run {
  facts: RecoveryFacts;
  failure?: { stage: StageName; kind: FailureKind; message: string };
  deployed?: DeployOutcome;
  health?: CheckResult;
  /** The version a successful rollback restored. */
  rolledBackTo?: string;
  incidentRef?: PipelineOutcome['incident'];
  notes: string[];
}

/**
 * The whole safe deploy: preflight → runner gate → (one lock) deploy → health check → recovery
 * as decideRecovery says (check production, roll back, re-verify) → incident opened or
 * resolved. Every stage is recorded; whatever a stage throws is a failed stage, and the report
 * is always complete.
 */
export async function runPipeline(settings: PipelineSettings, deps: PipelineDeps): Promise<PipelineOutcome> {
  const stages = new StageLog(deps.clock, deps.logger);
  const run: Run = {
    facts: { autoRollback: Boolean(settings.rollback), canCheck: canCheck(settings) },
    notes: [],
  };
  if (!(await beforeDeploy(settings, deps, stages, run))) return finish(settings, stages, run);
  if (settings.deploy.dryRun) {
    await dryRun(settings, deps, stages, run);
    return finish(settings, stages, run);
  }
  const waitedFrom = stages.mark();
  try {
    await withEnvironmentLock(settings.deploy, deps, (held) =>
      releaseAndRecover(settings, { ...deps, ...held }, stages, run),
    );
  } catch (error) {
    // Only the wait for the lock throws here (releaseAndRecover records its own failures, and the
    // lock's release only warns): nothing was touched.
    fail(run, 'deploy', stages.failed('deploy', error, waitedFrom), 'untouched');
  }
  if (deps.signal?.aborted) run.facts = { ...run.facts, interrupted: true };
  if (!run.failure && !run.facts.interrupted) await incident(settings, deps, stages, run, 'resolve');
  return finish(settings, stages, run);
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

/** Under the lock: the release, the health check, and recovery until production is settled. */
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
    const production = deployed.error instanceof ReleaseFault ? deployed.error.production : 'untouched';
    fail(run, 'deploy', deployed, production);
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
  for (;;) {
    const next = decideRecovery(run.facts);
    if (next.next === 'stop' || next.next === 'resolve-incident') return;
    if (next.next === 'open-incident') return incident(settings, deps, stages, run, 'open', next.rollback);
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

async function incident(
  settings: PipelineSettings,
  deps: PipelineDeps,
  stages: StageLog,
  run: Run,
  mode: 'open' | 'resolve',
  rollback: RollbackReport = 'none',
): Promise<void> {
  const tracker = deps.tracker;
  if (!tracker) return;
  const previous = run.deployed?.previous;
  const filed = await stages.run('incident', async () => {
    const outcome = await runIncident(
      {
        mode,
        facts: {
          environment: settings.deploy.environment,
          version: settings.deploy.version,
          rollback,
          ...(run.failure ? { stage: run.failure.stage } : {}),
          ...(previous ? { previousVersion: previous } : {}),
          ...(run.health ? { health: run.health } : {}),
          // What is recorded never quotes a command's output (the run's log has it, masked).
          log: [run.failure?.message ?? '', ...run.notes].filter(Boolean).map(withoutOutput).join('\n'),
        },
        assignees: settings.incident.assignees,
        label: settings.incident.label,
        extraLabels: [],
        maskValues: [],
        ...(settings.incident.kind === 'github' ? { github: settings.incident.github } : {}),
      },
      { ...deps, tracker },
    );
    const detail = outcome.failure ?? `${outcome.action}${outcome.url ? ` ${outcome.url}` : ''}`;
    return { result: outcome.failure ? 'failed' : 'passed', detail, value: outcome };
  });
  if (!filed.ok || (mode === 'resolve' && filed.value.action === 'none')) return;
  const o = filed.value;
  run.incidentRef = {
    action: o.action,
    ...(o.number ? { number: o.number } : {}),
    ...(o.url ? { url: o.url } : {}),
    ...(o.failure ? { failure: o.failure } : {}),
  };
}

function fail(
  run: Run,
  stage: StageName,
  ran: Extract<Ran<unknown>, { ok: false }>,
  production: Production,
): false {
  if (!run.failure) {
    run.failure = { stage, kind: ran.kind, message: message(ran) };
    run.facts = { ...run.facts, failed: { stage, production } };
  }
  if (ran.kind === 'interrupted') run.facts = { ...run.facts, interrupted: true };
  return false;
}

function message(ran: Extract<Ran<unknown>, { ok: false }>): string {
  return describeError(ran.error);
}

function canCheck(settings: PipelineSettings): boolean {
  const { verify } = settings.deploy;
  return (
    Boolean(settings.health) ||
    verify.probes.length > 0 ||
    Boolean(verify.versionCommand || verify.versionUrl)
  );
}

function finish(settings: PipelineSettings, stages: StageLog, run: Run): PipelineOutcome {
  const version = settings.deploy.version;
  const previous = run.deployed?.previous;
  const base = {
    version,
    ...(previous ? { previous } : {}),
    stages: stages.records,
    ...(run.incidentRef ? { incident: run.incidentRef } : {}),
    ...(run.deployed?.unrecorded ? { unrecorded: run.deployed.unrecorded } : {}),
  };
  if (!run.failure) {
    const result =
      run.deployed?.result === 'unchanged' || run.deployed?.result === 'dry-run'
        ? run.deployed.result
        : 'deployed';
    return { ...base, result, message: run.deployed?.message ?? `${version}: ${result}` };
  }
  const { stage, kind } = run.failure;
  const { facts } = run;
  const rolledBack = facts.rollback === 'succeeded' && facts.reverified !== 'unhealthy';
  const after = rolledBack
    ? ` Rolled back: ${run.rolledBackTo} serves again.`
    : facts.production === 'healthy'
      ? ` ${previous ?? 'The old version'} still serves, verified.`
      : facts.rollback === 'failed' || facts.reverified === 'unhealthy'
        ? ' The rollback did not restore a healthy production: act now.'
        : '';
  const why = kind === 'interrupted' ? `was interrupted at ${stage}` : `failed at ${stage}`;
  return {
    ...base,
    result: rolledBack ? 'rolled-back' : 'failed',
    failedStage: stage,
    failure: kind,
    // Where recovery ran, the stages and the incident tell why; otherwise the reason is the news.
    message:
      facts.failed?.production === 'untouched' || kind === 'interrupted'
        ? `${version} ${why}: ${withoutOutput(run.failure.message).replace(/\.$/, '')}.`
        : `${version} ${why}.${after}`,
  };
}
