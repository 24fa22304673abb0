import { tmpdir } from 'node:os';
import {
  parsePipelineSettings,
  pipelineInputs,
  releaseDeps,
  runDeployCleanup,
  sweepAbandonedSshDirs,
} from '../src/entries/pipeline.ts';
import { withTextPatterns } from '../src/entries/runtime.ts';
import { runAction } from './runtime/run-action.ts';

// The root action's post step (runs.post, always): frees a lock its main step was killed holding.
await runAction('deploy-actions (post)', async (action) => {
  // A main step killed with kill -9 never removed its SSH directory (the deploy key in it).
  sweepAbandonedSshDirs(tmpdir());
  const token = action.savedState('lock-token');
  if (!token) return;
  const { deploy } = await withTextPatterns(() =>
    parsePipelineSettings(action.readInputs(pipelineInputs), action.host.readFile),
  );
  await runDeployCleanup(deploy, token, await releaseDeps(action.host, deploy));
});
