import type { ReleaseDeps } from './deploy/release-run.ts';
import type { CheckResult } from './health/engine.ts';
import type { IssueTracker, WriteTextFile } from './ports.ts';
import type { PreflightDeps } from './preflight/run-check.ts';
import type { PipelineSettings } from './settings/pipeline.ts';
import { runDeploy } from './steps/deploy.ts';
import { runHealthCheck } from './steps/health-check.ts';
import { type IncidentOutcome, runIncident } from './steps/incident.ts';
import { runPreflight } from './steps/preflight.ts';
import { runRollback } from './steps/rollback.ts';
import { runRunnerGate } from './steps/runner-gate.ts';

export type StageName =
  | 'preflight'
  | 'gate'
  | 'deploy'
  | 'health-check'
  | 'rollback'
  | 're-verify'
  | 'incident';

/** One stage as it ran: when (ms from the pipeline's start), how long, and how it ended. */
export interface StageRecord {
  readonly name: StageName;
  readonly result: 'passed' | 'warnings' | 'failed' | 'unchanged' | 'dry-run';
  readonly startMs: number;
  readonly durationMs: number;
  readonly detail: string;
}

export interface PipelineOutcome {
  readonly result: 'deployed' | 'unchanged' | 'rolled-back' | 'failed' | 'dry-run';
  readonly version: string;
  readonly previous?: string;
  readonly failedStage?: StageName;
  readonly stages: readonly StageRecord[];
  readonly incident?: Pick<IncidentOutcome, 'action' | 'number' | 'url' | 'failure'>;
  /** One sentence for people. */
  readonly message: string;
}

export interface PipelineDeps extends ReleaseDeps {
  readonly writeFile: WriteTextFile;
  readonly preflight: Omit<PreflightDeps, 'runner' | 'store'>;
  /** Where incidents go; none means no incident stage. */
  readonly tracker?: IssueTracker;
}

/**
 * The whole safe deploy: preflight → runner gate → deploy (lock, state) → health check; when the
 * new version fails (verification or health), roll back to the last good one and check it
 * again, then open an incident; after a good deploy, resolve an open incident. Every stage is
 * timed and recorded. Stages a setting leaves out are skipped.
 */
export async function runPipeline(settings: PipelineSettings, deps: PipelineDeps): Promise<PipelineOutcome> {
  const started = deps.clock.now();
  const stages: StageRecord[] = [];
  const version = settings.deploy.version;
  const stage = async <T>(
    name: StageName,
    body: () => Promise<[StageRecord['result'], string, T]>,
  ): Promise<T> => {
    const startMs = deps.clock.now() - started;
    deps.logger.info(`── ${name} ──`);
    const [result, detail, value] = await body();
    const durationMs = Math.round(deps.clock.now() - started - startMs);
    stages.push({ name, result, startMs: Math.round(startMs), durationMs, detail });
    return value;
  };
  const end = (outcome: Omit<PipelineOutcome, 'stages' | 'version'>): PipelineOutcome => ({
    ...outcome,
    version,
    stages,
  });

  if (settings.preflight) {
    const checked = await stage('preflight', async () => {
      const outcome = await runPreflight(settings.preflight!, {
        ...deps,
        ...deps.preflight,
        store: () => deps.store,
      });
      return [outcome.result, outcome.message, outcome.result !== 'failed'];
    });
    if (!checked)
      return end({
        result: 'failed',
        failedStage: 'preflight',
        message: 'Preflight failed: nothing was deployed.',
      });
  }
  if (settings.gate) {
    const runner = await stage('gate', async () => {
      const decision = await runRunnerGate(settings.gate!, deps);
      return [decision.runner ? 'passed' : 'failed', decision.reason, decision.runner];
    });
    if (!runner)
      return end({
        result: 'failed',
        failedStage: 'gate',
        message: 'No healthy runner: nothing was deployed.',
      });
  }
  const deployed = await stage('deploy', async () => {
    const outcome = await runDeploy(settings.deploy, deps);
    const result = outcome.result === 'deployed' ? 'passed' : outcome.result;
    return [result, outcome.message, outcome];
  });
  const previous = deployed.previous;
  const base = { ...(previous ? { previous } : {}) };
  if (deployed.result === 'dry-run') return end({ ...base, result: 'dry-run', message: deployed.message });

  let failedStage: StageName | undefined;
  let health: CheckResult | undefined;
  const failures: string[] = [];
  if (deployed.result === 'failed') {
    failedStage = 'deploy';
    health = deployed.verification?.health;
    failures.push(deployed.message);
  } else if (settings.health) {
    const outcome = await stage('health-check', async () => {
      const checked = await runHealthCheck(settings.health!, deps);
      return [checked.verdict === 'successful' ? 'passed' : 'failed', checked.message, checked];
    });
    if (outcome.verdict !== 'successful') {
      failedStage = 'health-check';
      health = outcome.report;
      failures.push(outcome.message);
    }
  }

  if (!failedStage) {
    const incident = await fileIncident(settings, deps, 'resolve', {}, stage);
    const result = deployed.result === 'unchanged' ? 'unchanged' : 'deployed';
    return end({ ...base, result, message: deployed.message, ...(incident ? { incident } : {}) });
  }

  // Roll back only when the new version went live: a driver that failed left the old one current.
  const live = failedStage === 'health-check' || deployed.verification?.ok === false;
  let rolledBack = false;
  if (settings.rollback && live && previous) {
    const outcome = await stage('rollback', async () => {
      const rollback = await runRollback(settings.rollback!, deps);
      return [rollback.result === 'failed' ? 'failed' : 'passed', rollback.message, rollback];
    });
    rolledBack = outcome.result === 'rolled-back';
    if (!rolledBack) failures.push(outcome.message);
    if (rolledBack && settings.health) {
      const again = await stage('re-verify', async () => {
        const checked = await runHealthCheck(settings.health!, deps);
        return [checked.verdict === 'successful' ? 'passed' : 'failed', checked.message, checked];
      });
      if (again.verdict !== 'successful') {
        rolledBack = false;
        failures.push(`after the rollback: ${again.message}`);
      }
    }
  }
  const incident = await fileIncident(
    settings,
    deps,
    'open',
    {
      stage: failedStage,
      ...(previous ? { previousVersion: previous } : {}),
      rollback: !live || !settings.rollback ? 'none' : rolledBack ? 'succeeded' : 'failed',
      ...(health ? { health } : {}),
      log: failures.join('\n'),
    },
    stage,
  );
  const back = rolledBack ? ` Rolled back: ${previous} serves again.` : '';
  return end({
    ...base,
    result: rolledBack ? 'rolled-back' : 'failed',
    failedStage,
    message: `${version} failed at ${failedStage}.${back}`,
    ...(incident ? { incident } : {}),
  });
}

async function fileIncident(
  settings: PipelineSettings,
  deps: PipelineDeps,
  mode: 'open' | 'resolve',
  facts: {
    stage?: string;
    previousVersion?: string;
    rollback?: 'succeeded' | 'failed' | 'none';
    health?: CheckResult;
    log?: string;
  },
  stage: <T>(name: StageName, body: () => Promise<[StageRecord['result'], string, T]>) => Promise<T>,
): Promise<PipelineOutcome['incident']> {
  const tracker = deps.tracker;
  if (!tracker) return undefined;
  const incident = settings.incident;
  const outcome = await stage('incident', async () => {
    const filed = await runIncident(
      {
        mode,
        facts: {
          environment: settings.deploy.environment,
          version: settings.deploy.version,
          rollback: 'none',
          ...facts,
        },
        assignees: incident.assignees,
        label: incident.label,
        extraLabels: [],
        maskValues: [],
        ...(incident.kind === 'github' ? { github: incident.github } : {}),
      },
      { ...deps, tracker },
    );
    const detail = filed.failure ?? `${filed.action}${filed.url ? ` ${filed.url}` : ''}`;
    return [filed.failure ? 'failed' : 'passed', detail, filed];
  });
  if (mode === 'resolve' && outcome.action === 'none') return undefined;
  return {
    action: outcome.action,
    ...(outcome.number ? { number: outcome.number } : {}),
    ...(outcome.url ? { url: outcome.url } : {}),
    ...(outcome.failure ? { failure: outcome.failure } : {}),
  };
}
