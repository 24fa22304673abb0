import { createFleet } from '../deploy/create-driver.ts';
import { deployEnv, runLogged } from '../deploy/driver.ts';
import type { Hook, Underway } from './underway.ts';

/**
 * A pre- or post-deploy hook: here, or with hosts and run-on: host on each host in turn over SSH
 * (its own connection, closed after; DEPLOY_HOST and its address set), stopping at the first
 * host where it fails. The failure in words, or undefined.
 */
export async function runHook(hook: Hook, release: Underway): Promise<string | undefined> {
  const { request, deps, version, from } = release;
  const { target } = request;
  const limits = {
    // A hook is held to the same time limit as one attempt of the driver.
    timeoutMs: target.retry.attemptTimeoutMs,
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  const facts = { version, environment: target.environment, ...(from ? { previous: from } : {}) };
  const rollback: Record<string, string> =
    request.kind === 'rollback' ? { DEPLOY_ROLLBACK_FROM: from ?? '' } : {};
  const env = { ...deployEnv(facts), ...rollback };
  if (target.hosts?.runOn !== 'host') {
    const result = await runLogged(deps.runner, deps.logger, `the ${hook.name} hook`, {
      command: hook.command,
      env,
      ...limits,
    });
    return result.failure;
  }
  const fleet = createFleet(target.driver, target.hosts, deps.runner, deps.logger);
  try {
    for (const host of fleet.hosts) {
      const result = await runLogged(
        fleet.runnerFor(host),
        deps.logger,
        `the ${hook.name} hook on ${host.name}`,
        {
          command: hook.command,
          env: { ...deployEnv({ ...facts, host }), ...rollback },
          ...limits,
        },
      );
      if (result.failure) return result.failure;
    }
    return undefined;
  } finally {
    await fleet.close();
  }
}
