import { parsePipelineSettings, pipelineInputs, runDeployCleanup } from '../src/entries/pipeline.ts';
import { releaseBackends } from './runtime/release-backends.ts';
import { runAction } from './runtime/run-action.ts';

// The root action's post step (runs.post, always): frees a lock its main step was killed holding.
await runAction('deploy-actions (post)', async (action) => {
  const token = action.savedState('lock-token');
  if (!token) return;
  const { deploy } = parsePipelineSettings(action.readInputs(pipelineInputs), action.deps.readFile);
  await runDeployCleanup(deploy.environment, token, {
    ...action.deps,
    ...(await releaseBackends(action, deploy, { kind: 'deploy', version: deploy.version })),
    run: action.run,
  });
});
