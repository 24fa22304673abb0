import { digestOf } from '../../model/image.ts';
import { containerName, type DockerDriverSettings } from '../../model/release.ts';
import type { CommandRunner, Logger } from '../../ports.ts';
import { AttemptFailedError, type DeployDriver, type DriverRequest } from '../driver.ts';
import { DockerCli } from './docker-cli.ts';

/**
 * Kamal's core as a driver: the release's digest runs as a container per slot (`shop-blue`, the
 * slot's port published to container-port) or one in place (`shop`). Pulled by digest, the
 * slot's old container removed (no user reaches an idle slot), started with a restart policy,
 * then judged by the image's own HEALTHCHECK before the slot probes. Rolling back to a warm slot
 * is that slot's container, still running; scale-down removes the old one.
 */
export function createDockerDriver(
  settings: DockerDriverSettings,
  runner: CommandRunner,
  logger: Logger,
): DeployDriver {
  const docker = new DockerCli(runner, logger, settings);
  return {
    name: 'docker',
    plan: (version) => `pull ${version} and run it as container ${settings.name}[-<slot>]`,
    async run(request) {
      const { version, signal, timeoutMs } = request;
      if (!digestOf(version))
        throw new AttemptFailedError(
          `${version} is not an image digest (name@sha256:…): the docker driver runs images by digest`,
        );
      const name = containerName(settings.name, request.slot?.name);
      await docker.pull(version, timeoutMs, signal);
      // The slot is idle (or, in place, this is the stop before the start): its old container goes.
      if (await docker.read(['inspect', '--format', '{{.Id}}', name], signal))
        await docker.run(`docker rm ${name}`, ['rm', '--force', name], { timeoutMs: 60_000, signal });
      const started = await docker.run(`docker run ${name}`, runArgs(settings, request, name), {
        env: settings.env,
        timeoutMs,
        signal,
      });
      if (started.failure) throw new AttemptFailedError(started.failure);
      const health = await docker.waitHealthy(name, timeoutMs, signal);
      logger.info(`Container ${name} runs ${version}, ${health}`);
      return {
        summary: `container ${name} runs ${digestOf(version)!.slice(0, 19)}…, ${health}`,
        facts: { container: name },
      };
    },
    close: async () => docker.close(),
  };
}

/** `docker run`'s argv: detached, named, labelled, the slot's port, the variables by name. */
function runArgs(settings: DockerDriverSettings, request: DriverRequest, name: string): string[] {
  const { slot } = request;
  const port =
    slot && settings.containerPort !== undefined
      ? ['--publish', `${slot.host}:${slot.port}:${settings.containerPort}`]
      : [];
  const deployVars = {
    DEPLOY_VERSION: request.version,
    DEPLOY_ENVIRONMENT: request.environment,
    ...(slot ? { DEPLOY_SLOT: slot.name } : {}),
  };
  return [
    'run',
    '--detach',
    '--name',
    name,
    '--restart',
    settings.restart,
    '--label',
    `deploy-actions.environment=${request.environment}`,
    '--label',
    `deploy-actions.version=${request.version}`,
    ...port,
    ...Object.entries(deployVars).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
    // Secrets by name only: docker reads each value from its own environment.
    ...Object.keys(settings.env).flatMap((key) => ['--env', key]),
    ...(settings.envFile ? ['--env-file', settings.envFile] : []),
    ...settings.args,
    request.version,
  ];
}
