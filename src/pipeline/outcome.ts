import { withoutOutput } from '../deploy/driver.ts';
import type { PipelineSettings } from '../settings/pipeline.ts';
import type { PipelineOutcome, Run } from './pipeline-run.ts';
import type { StageLog } from './stage-log.ts';

/** The outcome the faces report: the result, the failed stage, and a sentence saying what became of production. */
export function pipelineOutcome(settings: PipelineSettings, stages: StageLog, run: Run): PipelineOutcome {
  const version = settings.deploy.version;
  const previous = run.deployed?.previous;
  const base = {
    version,
    ...(previous ? { previous } : {}),
    stages: stages.records,
    ...(run.incidentRef ? { incident: run.incidentRef } : {}),
    ...(run.deployed?.unrecorded ? { unrecorded: run.deployed.unrecorded } : {}),
    ...(run.deployed?.facts.canary ? { canary: String(run.deployed.facts.canary) } : {}),
  };
  if (!run.failure) {
    const result =
      run.deployed?.result === 'unchanged' ||
      run.deployed?.result === 'dry-run' ||
      run.deployed?.result === 'paused'
        ? run.deployed.result
        : 'deployed';
    const preview = result === 'paused' ? run.deployed?.facts.preview : undefined;
    return {
      ...base,
      result,
      ...(preview ? { preview: String(preview) } : {}),
      message: run.deployed?.message ?? `${version}: ${result}`,
    };
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
