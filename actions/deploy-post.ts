import { tmpdir } from 'node:os';
import {
  deployInputs,
  parseDeploySettings,
  releaseDeps,
  runDeployCleanup,
  sweepAbandonedSshDirs,
} from '../src/entries/deploy.ts';
import { withTextPatterns } from '../src/entries/runtime.ts';
import { runAction } from './runtime/run-action.ts';

// The deploy action's post step (runs.post, always): frees a lock its main step was killed holding.
await runAction('deploy (post)', async (action) => {
  // A main step killed with kill -9 never removed its SSH directory (the deploy key in it).
  sweepAbandonedSshDirs(tmpdir());
  const token = action.savedState('lock-token');
  if (!token) return;
  // The runner gives the post step the main step's inputs again.
  const settings = await withTextPatterns(() =>
    parseDeploySettings(action.readInputs(deployInputs), action.host.readFile),
  );
  await runDeployCleanup(settings, token, await releaseDeps(action.host, settings));
});
