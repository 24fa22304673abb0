import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import {
  type ComposeDriverSettings,
  containerName,
  type DockerDriverSettings,
  type DriverSettings,
  type SlotStop,
} from '../model/release.ts';
import type { InputSpecs } from './input-spec.ts';
import { parseWithSchema } from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

/** The docker and compose drivers' inputs (deploy, rollback and the root action take them). */
export const dockerInputs = {
  'container-name': {
    description:
      "docker, compose: the containers' name: <name>-<slot> per blue-green slot, <name> in place (default: the environment).",
    default: '',
  },
  'container-port': {
    description:
      "docker: the port inside the container; each slot's port is published to it (on the slot's address).",
    default: '',
  },
  'env-file': {
    description: 'docker: a file of KEY=value lines given to the container (--env-file).',
    default: '',
  },
  'container-env': {
    description:
      'docker, compose: variables for the container as a YAML map; their values are secrets (masked, never recorded, passed to docker by name, never on its command line).',
    default: '',
  },
  'docker-args': {
    description:
      'docker: more docker run arguments, as a YAML list (argv, never a shell string), e.g. [--memory, 256m].',
    default: '',
  },
  'restart-policy': { description: "docker: the containers' restart policy.", default: 'unless-stopped' },
  'docker-host': {
    description:
      "docker, compose: the Docker daemon (DOCKER_HOST: unix:///…, tcp://…, ssh://user@host); default: the runner's.",
    default: '',
  },
  'compose-file': {
    description:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own interpolation, named for users
      'compose: the compose file; it names the image ${DEPLOY_IMAGE} and the published port ${DEPLOY_SLOT_PORT}.',
    default: '',
  },
  'compose-command': {
    description:
      'compose: docker compose (the CLI plugin) or docker-compose (the standalone v1, as Debian packages it).',
    default: 'docker compose',
  },
  'compose-service': {
    description: 'compose: the service the release is judged by (its Docker healthcheck is waited for).',
    default: '',
  },
} as const satisfies InputSpecs;

const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESTART = /^(no|always|unless-stopped|on-failure(:\d{1,3})?)$/;
const DOCKER_HOST = /^(unix|tcp|ssh|npipe):\/\/[^\s]+$/;

export function parseDockerDriver(values: Record<string, string>): DockerDriverSettings {
  const port = (values['container-port'] ?? '').trim();
  const restart = values['restart-policy'] || 'unless-stopped';
  if (!RESTART.test(restart))
    throw new ConfigurationError(
      'restart-policy',
      `"${restart}" is not no, always, unless-stopped or on-failure[:N]`,
    );
  const args = values['docker-args'] ? readStructuredText(values['docker-args'], 'docker-args') : [];
  return {
    kind: 'docker',
    ...common(values),
    ...(port ? { containerPort: parsePort(port) } : {}),
    ...(values['env-file'] ? { envFile: values['env-file'] } : {}),
    args: parseWithSchema(z.array(z.string()), args, 'docker-args'),
    restart,
  };
}

export function parseComposeDriver(values: Record<string, string>): ComposeDriverSettings {
  const need = (input: string, why: string) => {
    if (!values[input]) throw new ConfigurationError(input, `is required with driver: compose (${why})`);
    return values[input]!;
  };
  const service = need('compose-service', 'the service the release is judged by');
  if (!CONTAINER_NAME.test(service))
    throw new ConfigurationError('compose-service', `"${service}" is not a service name`);
  const command = values['compose-command'] || 'docker compose';
  if (command !== 'docker compose' && command !== 'docker-compose')
    throw new ConfigurationError('compose-command', `"${command}" is not docker compose or docker-compose`);
  const shared = common(values);
  // Compose names projects in lowercase letters, digits, - and _ only.
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(shared.name))
    throw new ConfigurationError(
      'container-name',
      `"${shared.name}" is not a compose project name (lowercase letters, digits, - _)`,
    );
  return {
    kind: 'compose',
    ...shared,
    file: need('compose-file', 'the compose file'),
    service,
    program: command === 'docker compose' ? ['docker', 'compose'] : ['docker-compose'],
  };
}

function common(values: Record<string, string>) {
  const name = values['container-name'] || values.environment!;
  if (!CONTAINER_NAME.test(name))
    throw new ConfigurationError(
      'container-name',
      `"${name}" is not a container name (letters, digits, _ . -; at most 63)`,
    );
  const host = values['docker-host'] ?? '';
  if (host && !DOCKER_HOST.test(host))
    throw new ConfigurationError('docker-host', `"${host}" is not unix://…, tcp://…, ssh://… or npipe://…`);
  return { name, env: parseEnv(values['container-env'] ?? ''), ...(host ? { dockerHost: host } : {}) };
}

function parseEnv(text: string): Record<string, string> {
  if (!text.trim()) return {};
  const map = readStructuredText(text, 'container-env');
  if (map === null || typeof map !== 'object' || Array.isArray(map))
    throw new ConfigurationError('container-env', 'expected a map of variable names to values');
  return Object.fromEntries(
    Object.entries(map).map(([key, value]) => {
      if (!VARIABLE.test(key))
        throw new ConfigurationError('container-env', `"${key}" is not a variable name`);
      if (key.startsWith('DEPLOY_'))
        throw new ConfigurationError('container-env', `${key}: DEPLOY_ variables are the driver's own`);
      if (typeof value === 'object' && value !== null)
        throw new ConfigurationError('container-env', `${key}: expected a value, not a list or map`);
      return [key, String(value ?? '')];
    }),
  );
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65_535)
    throw new ConfigurationError('container-port', `"${text}" is not a port (1-65535)`);
  return port;
}

/** How the docker and compose drivers stop a slot when no stop-command is given: its container or project goes. */
export function slotStopOf(driver: DriverSettings): SlotStop | undefined {
  const env = 'dockerHost' in driver && driver.dockerHost ? { DOCKER_HOST: driver.dockerHost } : undefined;
  const withEnv = env ? { env } : {};
  if (driver.kind === 'docker')
    return { argv: (slot) => ['docker', 'rm', '--force', containerName(driver.name, slot)], ...withEnv };
  if (driver.kind === 'compose')
    return {
      argv: (slot) => [
        ...driver.program,
        '--file',
        driver.file,
        '--project-name',
        containerName(driver.name, slot),
        'down',
      ],
      ...withEnv,
    };
  return undefined;
}
