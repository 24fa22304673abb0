import { createBackends } from '../../src/entries/deploy.ts';
import type { DeploySettings, RollbackSettings } from '../../src/index.ts';
import type { ActionContext } from './run-action.ts';

/** The state, lock and audit log deploy and rollback use, as the backend input says (a GitHub client only for github). */
export async function releaseBackends(
  action: ActionContext,
  settings: DeploySettings | RollbackSettings,
  plan: { readonly kind: 'deploy' | 'rollback'; readonly version?: string },
) {
  const { backend } = settings;
  const api = backend.kind === 'github' ? await action.github(backend.github.token) : undefined;
  return createBackends(settings, plan, {
    stateDir: action.expandHome(settings.stateDir),
    clock: action.deps.clock,
    logger: action.deps.logger,
    run: action.run,
    redactor: action.deps.redactor,
    ...(api ? { api } : {}),
  });
}
