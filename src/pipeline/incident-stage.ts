import { withoutOutput } from '../deploy/driver.ts';
import type { PipelineSettings } from '../settings/pipeline.ts';
import { runIncident } from '../steps/incident.ts';
import type { RollbackReport } from './decide-recovery.ts';
import type { PipelineDeps, Run } from './pipeline-run.ts';
import type { StageLog } from './stage-log.ts';

/** Opens (or comments on) the environment's incident, or resolves it after a good run. */
export async function fileIncident(
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
          // Rolling: a release proven broken on one host was reverted on every host it reached.
          rollback: rollback === 'not-reached' && run.deployed?.hosts ? 'reverted' : rollback,
          ...(run.failure ? { stage: run.failure.stage } : {}),
          ...(previous ? { previousVersion: previous } : {}),
          ...(run.health ? { health: run.health } : {}),
          ...(run.deployed?.hosts ? { hosts: run.deployed.hosts } : {}),
          ...(run.deployed?.canary ? { canary: run.deployed.canary } : {}),
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
