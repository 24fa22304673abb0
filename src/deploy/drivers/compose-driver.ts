import { formatHostPort } from '../../addresses.ts';
import { digestOf } from '../../model/image.ts';
import { type ComposeDriverSettings, containerName } from '../../model/release.ts';
import type { CommandRunner, Logger } from '../../ports.ts';
import { AttemptFailedError, type DeployDriver } from '../driver.ts';
import { DockerCli } from './docker-cli.ts';

/**
 * Multi-container services: a compose project per slot (`shop-blue`), the release's digest given
 * to the compose file as DEPLOY_IMAGE and the slot's port as DEPLOY_SLOT_PORT. The project's
 * images are pulled, its containers recreated, and every one of them must run (and be healthy by
 * its HEALTHCHECK, compose-service above all) before the slot probes.
 */
export function createComposeDriver(
  settings: ComposeDriverSettings,
  runner: CommandRunner,
  logger: Logger,
): DeployDriver {
  const docker = new DockerCli(runner, logger, settings);
  const compose = (project: string, args: readonly string[]) => [
    '--file',
    settings.file,
    '--project-name',
    project,
    ...args,
  ];
  return {
    name: 'compose',
    plan: (version) =>
      `docker compose up ${settings.file} as project ${settings.name}[-<slot>] with DEPLOY_IMAGE=${version}`,
    async run(request) {
      const { version, signal, timeoutMs, slot } = request;
      if (!digestOf(version))
        throw new AttemptFailedError(
          `${version} is not an image digest (name@sha256:…): the compose driver runs images by digest`,
        );
      const project = containerName(settings.name, slot?.name);
      const env = {
        ...settings.env,
        DEPLOY_IMAGE: version,
        DEPLOY_VERSION: version,
        DEPLOY_ENVIRONMENT: request.environment,
        ...(slot
          ? {
              DEPLOY_SLOT: slot.name,
              DEPLOY_SLOT_PORT: String(slot.port),
              DEPLOY_SLOT_ADDRESS: formatHostPort(slot),
            }
          : {}),
      };
      const options = { env, timeoutMs, signal, program: settings.program };
      docker.prepare(version);
      const pulled = await docker.run(`compose pull ${project}`, compose(project, ['pull']), options);
      if (pulled.failure) throw new AttemptFailedError(pulled.failure);
      const up = await docker.run(
        `compose up ${project}`,
        compose(project, ['up', '--detach', '--force-recreate', '--remove-orphans']),
        options,
      );
      if (up.failure) throw new AttemptFailedError(up.failure);
      // One listing: each container of the project with its service.
      const listed = await docker.read(
        [
          'ps',
          '--all',
          '--filter',
          `label=com.docker.compose.project=${project}`,
          '--format',
          '{{.ID}} {{.Label "com.docker.compose.service"}}',
        ],
        signal,
      );
      const rows = (listed ?? '')
        .split('\n')
        .map((line) => line.trim().split(' '))
        .filter(([id]) => id);
      const containers = rows.map(([id]) => id!);
      if (!rows.some(([, service]) => service === settings.service))
        throw new AttemptFailedError(
          `compose project ${project} has no container of service ${settings.service}`,
        );
      for (const container of containers) await docker.waitHealthy(container, timeoutMs, signal);
      logger.info(
        `Compose project ${project} runs ${version}: ${containers.length} containers up, ${settings.service} among them`,
      );
      return {
        summary: `compose project ${project} runs ${digestOf(version)!.slice(0, 19)}… (${containers.length} containers, ${settings.service} healthy)`,
        facts: { project },
      };
    },
    close: async () => docker.close(),
  };
}
