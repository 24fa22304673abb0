import { createFileBackends, runDeployCleanup } from '../src/entries/deploy.ts';
import { runAction } from './runtime/run-action.ts';

// The deploy action's post step (runs.post, always): frees a lock its main step was killed holding.
await runAction('deploy (post)', async (action) => {
  const [environment, stateDir, token] = ['environment', 'state-dir', 'lock-token'].map((name) =>
    action.savedState(name),
  );
  if (!environment || !stateDir || !token) return;
  await runDeployCleanup(environment, token, {
    ...action.deps,
    ...createFileBackends(stateDir, action.deps.clock, action.run.host),
    run: action.run,
  });
});
