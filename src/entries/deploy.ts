/** The release actions' view of the core (see src/entries/runtime.ts for why entries exist). */
export { abortStep, promoteStep } from '../faces/promotion-steps.ts';
export { deployStep, rollbackStep } from '../faces/release-steps.ts';
export { runScaleDownCommand } from '../faces/scale-down-command.ts';
export {
  deployInputs,
  deployOutputs,
  parseDeploySettings,
  parseRollbackSettings,
  rollbackInputs,
  rollbackOutputs,
} from '../settings/deploy.ts';
export { runDeploy } from '../steps/deploy.ts';
export { runDeployCleanup } from '../steps/deploy-cleanup.ts';
export { renderDeploySummary } from '../steps/deploy-summary.ts';
export { runRollback } from '../steps/rollback.ts';
export { sweepAbandonedSshDirs } from '../target/ssh-sweep.ts';
export { releaseDeps } from '../wiring.ts';
