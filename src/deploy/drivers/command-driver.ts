import type { CommandRunner, Logger } from '../../ports.ts';
import { AttemptFailedError, type DeployDriver, deployEnv, runLogged } from '../driver.ts';

/** Any command or script (deploy.sh, docker compose, kubectl…), given the version as DEPLOY_VERSION. */
export function createCommandDriver(command: string, runner: CommandRunner, logger: Logger): DeployDriver {
  return {
    name: 'command',
    plan: (version) => `run \`${command}\` with DEPLOY_VERSION=${version}`,
    async run(request) {
      const result = await runLogged(runner, logger, 'the deploy command', {
        command,
        env: deployEnv(request),
        timeoutMs: request.timeoutMs,
        signal: request.signal,
      });
      if (result.failure) throw new AttemptFailedError(result.failure);
      return { summary: `the deploy command succeeded in ${Math.round(result.durationMs)} ms` };
    },
  };
}
