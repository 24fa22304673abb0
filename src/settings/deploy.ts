import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import { digestOf, type ImageReference, parseImageReference } from '../model/image.ts';
import type {
  BackendSettings,
  DeploySettings,
  DriverSettings,
  RollbackSettings,
  TargetSettings,
} from '../model/release.ts';
import { describeMutability, ENVIRONMENT_NAME, versionProblem } from '../model/version.ts';
import type { ReadTextFile } from '../ports.ts';
import { booleanField, compiledField, durationField, wholeNumberField } from '../schema/fields.ts';
import { dockerInputs, parseComposeDriver, parseDockerDriver, slotStopOf } from './docker.ts';
import { githubInputs, parseGitHubSettings } from './github.ts';
import { hostsInputs, parseHosts } from './hosts.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';
import { parseStrategy, strategyInputs } from './strategy.ts';
import { readStructuredText } from './structured-text.ts';
import { readVerify } from './verify.ts';

/** Inputs deploy and rollback share: where, with which driver, how to retry, how to verify. */
export const targetInputs = {
  environment: {
    description: 'The environment to deploy to (e.g. production); names the state file and the lock.',
    required: true,
  },
  driver: {
    description:
      'How to deploy: command, ansible, releases, docker (the image by digest, a container per slot) or compose (a compose project per slot).',
    default: 'command',
  },
  command: {
    description:
      'command driver: the command to run (sh -c), with DEPLOY_VERSION, DEPLOY_ENVIRONMENT and DEPLOY_PREVIOUS_VERSION set.',
    default: '',
  },
  playbook: { description: 'ansible driver: the playbook to run.', default: '' },
  inventory: {
    description: 'ansible driver: the inventory (file, or a comma-separated host list).',
    default: '',
  },
  'extra-vars': {
    description:
      'ansible driver: more extra-vars as a YAML/JSON map (version and environment are always passed).',
    default: '',
  },
  ...dockerInputs,
  'releases-dir': {
    description: 'releases driver: the directory holding releases/<version> and the current symlink.',
    default: '',
  },
  artifact: {
    description:
      'releases driver: a directory or .tar.gz to install as releases/<version> ({version} is replaced).',
    default: '',
  },
  'build-command': {
    description: 'releases driver: run inside the new release before the switch (install, migrate).',
    default: '',
  },
  'restart-command': {
    description: 'releases driver: run after the current symlink switched (e.g. systemctl restart shop).',
    default: '',
  },
  'keep-releases': {
    description: 'releases driver: how many releases to keep (never the current or previous one).',
    default: '5',
  },
  attempts: {
    description: 'Attempts at the driver before giving up (only failures that can pass are retried).',
    default: '3',
  },
  'retry-wait': {
    description: 'Wait before the second attempt; each further wait grows by backoff-factor.',
    default: '30s',
  },
  'backoff-factor': { description: 'Factor by which each wait grows.', default: '2' },
  'attempt-timeout': {
    description: 'Time limit of one attempt; on expiry the whole process tree is killed.',
    default: '600s',
  },
  'verify-probes': {
    description:
      'Health probes (as health-check takes them) that must pass after the driver ran. Unless a probe says otherwise: 3 measurements 500ms apart, and start-timeout 30s (until its first answer, refused connections are a service still starting and are not counted). A probe naming {slot_url} checks a blue-green slot before traffic; one naming {host_url}, {host_address} or {host_name} checks each of hosts right after its deploy, before the next host.',
    default: '',
  },
  'verify-probes-file': { description: 'The same, from a file.', default: '' },
  'version-command': {
    description:
      'A command printing the running version; it must equal the deployed one. With hosts it runs on each host over SSH, right after its deploy.',
    default: '',
  },
  'version-url': {
    description:
      'A URL answering the running version as JSON at version-json-path; it must equal the deployed one.',
    default: '',
  },
  'version-json-path': {
    description: 'Where the version is in the version-url answer.',
    default: '$.version',
  },
  'state-dir': {
    description: 'Where state, locks and the audit log live (keep it on the runner, outside the workspace).',
    default: '~/.deploy-actions',
  },
  'lock-timeout': {
    description: 'How long to wait for another deploy to this environment to finish.',
    default: '30m',
  },
  backend: {
    description:
      'Where state and the lock live: file (state-dir on this runner) or github (GitHub Deployments, shared by every runner).',
    default: 'file',
  },
  ...githubInputs,
  ref: {
    description: 'backend github: the commit the deployments record.',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression the runner evaluates
    default: '${{ github.sha }}',
  },
  'environment-url': {
    description: 'backend github: the URL of the environment, shown on its deployments.',
    default: '',
  },
  'transient-environment': {
    description: 'backend github: the environment is temporary (a pull request preview).',
    default: 'false',
  },
  'production-environment': {
    description:
      'backend github: true or false; empty leaves it to GitHub (true for an environment named production).',
    default: '',
  },
  'lock-poll-interval': {
    description: 'backend github: how often a waiting deploy looks at the queue of deployments again.',
    default: '5s',
  },
  ...strategyInputs,
  ...hostsInputs,
  'dry-run': {
    description:
      "Print the plan and change nothing. Blue-green reads the proxy and asks the slots (read-only), names the live and the idle slot and every probe, and runs the proxy's own check (nginx -t).",
    default: 'false',
  },
  'registry-username': {
    description:
      'image: the registry user, when the registry asks for credentials (basic or its token service).',
    default: '',
  },
  'registry-password': {
    description:
      'image: the registry password or token (a secret: masked, never recorded); for ghcr.io the github-token does unless one is given.',
    default: '',
  },
  'pushgateway-url': {
    description:
      'Push deploy metrics (duration, results, rollbacks) to this Prometheus Pushgateway; failures only warn.',
    default: '',
  },
} as const satisfies InputSpecs;

export const deployInputs = {
  version: {
    description:
      'The immutable version to deploy: a tag such as v1.4.2, an image digest (name@sha256:…) or a git SHA. Leave it empty with image.',
    default: '',
  },
  image: {
    description:
      'A container image to deploy (registry/name:v1.4.2 or registry/name@sha256:…): resolved to its digest before anything runs; the release deploys, records and verifies that digest (DEPLOY_IMAGE = registry/name@sha256:…), and refuses latest, dev and a tag that moves during the release.',
    default: '',
  },
  ...targetInputs,
  force: {
    description: 'Deploy even if the version is already current and healthy, or marked bad.',
    default: 'false',
  },
  'require-immutable': { description: 'Refuse moving versions such as latest or main.', default: 'true' },
  'pre-deploy': {
    description:
      'A command run before the driver (time limit: attempt-timeout); failing it stops the deploy. With hosts and run-on: host, on each host in turn over SSH.',
    default: '',
  },
  'post-deploy': {
    description:
      'A command run after a verified deploy (time limit: attempt-timeout). With hosts and run-on: host, on each host in turn over SSH.',
    default: '',
  },
  'on-failure': {
    description: 'A command run when the deploy fails (DEPLOY_FAILURE says why).',
    default: '',
  },
} as const satisfies InputSpecs;

export const deployOutputs = {
  result: {
    description:
      'deployed, unchanged (already current and healthy), paused (verified on its slot, waiting for promotion), dry-run, or failed.',
  },
  version: { description: 'The version deployed.' },
  'previous-version': { description: 'The version that was current before.' },
  attempts: { description: 'Attempts the driver took.' },
  slot: { description: 'blue-green: the slot the version was deployed into.' },
  'preview-url': {
    description:
      "paused (promotion: manual): the slot's own address (http://host:port), where the version is tried before it is promoted.",
  },
  canary: {
    description:
      'strategy canary: where it ended: promoted after step 6 of 6, paused at step 4 of 6 (25 %) (waiting for promote or abort), or aborted at step 2 of 6 (20 %).',
  },
  'ansible-changed': { description: 'ansible driver: changed tasks in the PLAY RECAP.' },
  'ansible-failed': { description: 'ansible driver: failed tasks in the PLAY RECAP.' },
  'ansible-unreachable': { description: 'ansible driver: unreachable hosts in the PLAY RECAP.' },
  report: {
    description: 'JSON: the plan, every attempt with its reason, the verification, the state written.',
  },
} as const satisfies OutputSpecs;

export const rollbackInputs = {
  'to-version': {
    description:
      'Roll back to this version (it must be in the history); default: the last good one, when the record says the live version did not end good (needed to step back from a verified one).',
    default: '',
  },
  image: {
    description:
      'Roll back to this image instead (registry/name:v1.4.2 or @sha256:…): resolved to its digest, which must be in the history.',
    default: '',
  },
  ...targetInputs,
  force: { description: 'Roll back to a version marked bad.', default: 'false' },
  'on-rollback': {
    description: 'A command run after a verified rollback (DEPLOY_ROLLBACK_FROM and DEPLOY_VERSION set).',
    default: '',
  },
} as const satisfies InputSpecs;

export const rollbackOutputs = {
  result: { description: 'rolled-back, dry-run, or failed.' },
  'from-version': { description: 'The version rolled back from (now marked bad).' },
  'to-version': { description: 'The version rolled back to.' },
  report: { description: 'JSON: the plan, the driver attempts, the verification.' },
} as const satisfies OutputSpecs;

const factorField = compiledField(z.string(), (raw) => {
  const value = Number(raw);
  return Number.isFinite(value) && value >= 1 ? value : { problem: `"${raw}" is not a number ≥ 1` };
});

const targetSchema = z.object({
  environment: compiledField(z.string(), (raw) =>
    ENVIRONMENT_NAME.test(raw) ? raw : { problem: `"${raw}" is not a plain name (letters, digits, . _ -)` },
  ),
  driver: z.enum(
    ['command', 'ansible', 'releases', 'docker', 'compose'],
    'use command, ansible, releases, docker or compose',
  ),
  'keep-releases': wholeNumberField(2),
  attempts: wholeNumberField(1),
  'retry-wait': durationField,
  'backoff-factor': factorField,
  'attempt-timeout': durationField,
  'lock-timeout': durationField,
  'dry-run': booleanField,
  backend: z.enum(['file', 'github'], 'use file or github'),
});

const githubBackendSchema = z.object({
  'transient-environment': booleanField,
  'production-environment': z.optional(booleanField),
  'lock-poll-interval': durationField,
});

/** Validates the inputs deploy and rollback share. */
function parseTarget(values: Record<string, string>, readFile: ReadTextFile): TargetSettings {
  const flat = parseWithSchema(targetSchema, values);
  if (flat['attempt-timeout'] === 0) throw new ConfigurationError('attempt-timeout', 'must be more than 0');
  const registry = parseRegistryCredentials(values, imageRegistry(values));
  const parsed = parseDriver(flat.driver, flat['keep-releases'], values, readFile);
  // The pull needs the registry's credentials: the container drivers carry them.
  const driver = parsed.kind === 'docker' || parsed.kind === 'compose' ? { ...parsed, ...registry } : parsed;
  return {
    environment: flat.environment,
    driver,
    retry: {
      attempts: flat.attempts,
      waitMs: flat['retry-wait'],
      factor: flat['backoff-factor'],
      attemptTimeoutMs: flat['attempt-timeout'],
    },
    ...verifyAndStrategy(values, readFile, driver),
    stateDir: values['state-dir']!,
    backend: flat.backend === 'github' ? parseGitHubBackend(values) : { kind: 'file' },
    ...(values['pushgateway-url']
      ? { pushgatewayUrl: parseUrl(values['pushgateway-url'], 'pushgateway-url') }
      : {}),
    lockTimeoutMs: flat['lock-timeout'],
    dryRun: flat['dry-run'],
    ...registry,
  };
}

/** The image input: a reference that names a tag or a digest (promote-image takes any such). */
export function parseImageInput(text: string): ImageReference {
  const image = parseImageReference(text);
  if ('problem' in image) throw new ConfigurationError('image', image.problem);
  if (!image.tag && !image.digest)
    throw new ConfigurationError('image', `"${text}" names no tag or digest: add :v1.4.2 or @sha256:…`);
  return image;
}

/** An image to deploy: a tag (never a pointer such as latest) or a digest. */
function parseImage(text: string): ImageReference {
  const image = parseImageInput(text);
  const moving = image.tag && !image.digest ? describeMutability(image.tag) : undefined;
  if (moving)
    throw new ConfigurationError(
      'image',
      `${moving}: deploy an immutable tag (v1.4.2, sha-<commit>) or a digest, never a pointer`,
    );
  return image;
}

/** Both or neither: a user without a password (or the reverse) is a mistake to say at once. */
export function parseRegistryCredentials(
  values: Record<string, string | undefined>,
  registry?: string,
): Pick<TargetSettings, 'registry'> {
  const username = values['registry-username'] ?? '';
  const password = values['registry-password'] ?? '';
  if (username && !password)
    throw new ConfigurationError('registry-password', 'is required with registry-username');
  if (password && !username)
    throw new ConfigurationError('registry-username', 'is required with registry-password');
  if (username) return { registry: { username, password } };
  // GHCR takes the workflow's own token (any user name): nothing more to give for ghcr.io.
  const token = values['github-token'] ?? '';
  return registry === 'ghcr.io' && token && !token.startsWith('${{')
    ? { registry: { username: 'x-access-token', password: token } }
    : {};
}

/** The registry a release's image comes from, when the inputs name one (image, or a digest version). */
function imageRegistry(values: Record<string, string>): string | undefined {
  const named = values.image || values.version || values['to-version'] || '';
  const image = parseImageReference(named);
  return 'problem' in image ? undefined : image.registry;
}

function parseGitHubBackend(values: Record<string, string>): BackendSettings {
  const { 'production-environment': production, ...flat } = parseWithSchema(githubBackendSchema, {
    ...values,
    'production-environment': values['production-environment'] || undefined,
  });
  if (flat['lock-poll-interval'] < 100)
    throw new ConfigurationError(
      'lock-poll-interval',
      'must be at least 100ms (GitHub rate-limits busy polling)',
    );
  const ref = values.ref ?? '';
  if (ref === '' || ref.startsWith('${{'))
    throw new ConfigurationError(
      'ref',
      'is needed with backend: github (a commit SHA, branch or tag; the CLI reads GITHUB_SHA)',
    );
  const url = values['environment-url'];
  if (url && !URL.canParse(url)) throw new ConfigurationError('environment-url', `"${url}" is not a URL`);
  return {
    kind: 'github',
    github: parseGitHubSettings(values),
    ref,
    ...(url ? { environmentUrl: url } : {}),
    transient: flat['transient-environment'],
    ...(production !== undefined ? { production } : {}),
    pollMs: flat['lock-poll-interval'],
  };
}

function parseDriver(
  kind: DriverSettings['kind'],
  keepReleases: number,
  values: Record<string, string>,
  readFile: ReadTextFile,
): DriverSettings {
  const need = (input: string, why: string) => {
    if (!values[input]) throw new ConfigurationError(input, `is required with driver: ${kind} (${why})`);
    return values[input]!;
  };
  if (kind === 'command') return { kind, command: need('command', 'the command that deploys') };
  if (kind === 'docker') return parseDockerDriver(values);
  if (kind === 'compose') return parseComposeDriver(values);
  if (kind === 'ansible') {
    const playbook = need('playbook', 'the playbook to run');
    try {
      readFile(playbook);
    } catch (error) {
      throw new ConfigurationError('playbook', `cannot read "${playbook}": ${(error as Error).message}`);
    }
    const extra = values['extra-vars'] ? readStructuredText(values['extra-vars'], 'extra-vars') : {};
    if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
      throw new ConfigurationError('extra-vars', 'expected a map of variable names to values');
    }
    return {
      kind,
      playbook,
      inventory: need('inventory', 'the hosts to deploy to'),
      extraVars: extra as Record<string, unknown>,
    };
  }
  return {
    kind,
    releasesDir: need('releases-dir', 'where releases live'),
    artifact: need('artifact', 'what to install as the new release'),
    ...(values['build-command'] ? { buildCommand: values['build-command'] } : {}),
    ...(values['restart-command'] ? { restartCommand: values['restart-command'] } : {}),
    keepReleases,
  };
}

function parseUrl(raw: string, input: string): URL {
  if (!URL.canParse(raw)) throw new ConfigurationError(input, `"${raw}" is not a URL`);
  return new URL(raw);
}

/** Validates the deploy action's inputs once into readonly settings; every problem names its input. */
export function parseDeploySettings(raw: RawInputs, readFile: ReadTextFile): DeploySettings {
  const values = applyDefaults(deployInputs, raw);
  const flags = parseWithSchema(z.object({ force: booleanField, 'require-immutable': booleanField }), values);
  const image = values.image ? parseImage(values.image) : undefined;
  if (image && values.version)
    throw new ConfigurationError('version', "leave it empty with image: the version is the image's digest");
  if (!image && !values.version) throw new ConfigurationError('version', 'is required (or give image)');
  const version = values.image || values.version!;
  if ((values.driver === 'docker' || values.driver === 'compose') && !image && !digestOf(version))
    throw new ConfigurationError(
      'image',
      `is required with driver: ${values.driver} (the image to run: registry/name:tag or @sha256:…, resolved to its digest)`,
    );
  const unusable = image ? undefined : versionProblem(version, values.driver!);
  if (unusable) throw new ConfigurationError('version', unusable);
  const moving = image ? undefined : describeMutability(version);
  if (moving && flags['require-immutable']) {
    throw new ConfigurationError(
      'version',
      `${moving}; deploy an immutable version (v1.4.2, name@sha256:…, a git SHA)`,
      { input: 'require-immutable', value: 'false' },
    );
  }
  return {
    ...parseTarget(values, readFile),
    version,
    ...(image ? { image } : {}),
    force: flags.force,
    hooks: {
      ...(values['pre-deploy'] ? { preDeploy: values['pre-deploy'] } : {}),
      ...(values['post-deploy'] ? { postDeploy: values['post-deploy'] } : {}),
      ...(values['on-failure'] ? { onFailure: values['on-failure'] } : {}),
    },
  };
}

/** Validates the rollback action's inputs. */
export function parseRollbackSettings(raw: RawInputs, readFile: ReadTextFile): RollbackSettings {
  const values = applyDefaults(rollbackInputs, raw);
  const flags = parseWithSchema(z.object({ force: booleanField }), values);
  const unusable = values['to-version'] ? versionProblem(values['to-version'], values.driver!) : undefined;
  if (unusable) throw new ConfigurationError('to-version', unusable);
  if (values.image && values['to-version'])
    throw new ConfigurationError(
      'image',
      'give image or to-version, not both: the image names the version by its digest',
    );
  return {
    ...parseTarget(values, readFile),
    ...(values['to-version'] ? { toVersion: values['to-version'] } : {}),
    ...(values.image ? { image: parseImage(values.image) } : {}),
    force: flags.force,
    ...(values['on-rollback'] ? { onRollback: values['on-rollback'] } : {}),
  };
}

/** How a version goes live, and what verifies it: slot probes only make sense with slots. */
function verifyAndStrategy(
  values: Record<string, string>,
  readFile: ReadTextFile,
  settings: DriverSettings,
): Pick<TargetSettings, 'verify' | 'strategy' | 'hosts' | 'inventoryHosts'> {
  const driver = settings.kind;
  const verify = readVerify(values, readFile);
  const strategy = parseStrategy(values, verify, slotStopOf(settings));
  if (settings.kind === 'docker' && strategy.kind === 'blue-green' && settings.containerPort === undefined)
    throw new ConfigurationError(
      'container-port',
      "is required with driver: docker and slots (the port inside the container each slot's port is published to)",
    );
  const hosts = parseHosts(values, { driver, strategy: strategy.kind });
  if (strategy.kind === 'rolling' && !verify.namesHost)
    throw new ConfigurationError(
      'verify-probes',
      'strategy: rolling checks each host on its own address before it gets traffic back: give a probe that names the host, e.g. - { name: host, type: http, url: "{host_url}/health" }',
    );
  // Rolling with ansible: the inventory's hosts, read when the release runs, each checked by its probes.
  if (strategy.kind === 'rolling' && !hosts)
    return {
      verify: verify.public,
      strategy,
      inventoryHosts: { needsAddress: verify.needsAddress, verifyFor: (host) => verify.forHost(host) },
    };
  if (verify.namesHost && !hosts)
    throw new ConfigurationError(
      'verify-probes',
      'a probe or version-url names a host ({host_url}, {host_address}, {host_name}), which only hosts have',
      { input: 'hosts', value: 'deploy@10.0.0.11' },
    );
  const unplaced = verify.needsAddress ? hosts?.hosts.find((host) => !host.address) : undefined;
  if (unplaced)
    throw new ConfigurationError(
      'hosts',
      `${unplaced.name} has no address, which {host_url} and {host_address} in the probes need (address: host:port)`,
    );
  if (!hosts) return { verify: verify.public, strategy };
  if (strategy.kind === 'blue-green') slotHostsOf(hosts.hosts, strategy.slots);
  // version-command says what runs where it runs: with hosts over SSH, on each host (its running
  // version checked right after its deploy), never once on the runner, which runs none of them.
  const { versionCommand, ...publicPart } = verify.public;
  const perHost = Object.fromEntries(
    hosts.hosts.map((host) => [
      host.name,
      { ...verify.forHost(host), ...(versionCommand ? { versionCommand } : {}) },
    ]),
  );
  return { verify: publicPart, strategy, hosts: { ...hosts, verify: perHost } };
}

/** promote and abort: the deploy's inputs without the version (the record names the paused one). */
export const promotionInputs = targetInputs;

export const promoteOutputs = {
  result: { description: 'promoted, or failed.' },
  version: { description: 'The version promoted.' },
  'previous-version': { description: 'The version users reached before.' },
  slot: { description: 'The slot users reach now.' },
  report: { description: 'JSON: the check on the slot, the switch, the verification of what users reach.' },
} as const satisfies OutputSpecs;

export const abortOutputs = {
  result: { description: 'aborted.' },
  version: { description: 'The version that waited for promotion.' },
  slot: { description: 'Its slot.' },
  stopped: { description: 'true when stop-command stopped the slot.' },
  report: { description: 'JSON: what was aborted and whether its slot was stopped.' },
} as const satisfies OutputSpecs;

/**
 * Validates the inputs of promote and abort: the target, as deploy reads it, which must be
 * blue-green (only a slot holds a paused release); neither has a dry run.
 */
export function parsePromotionSettings(
  raw: RawInputs,
  readFile: ReadTextFile,
  control: 'promote' | 'abort',
): TargetSettings {
  const settings = parseTarget(applyDefaults(promotionInputs, raw), readFile);
  if (settings.dryRun)
    throw new ConfigurationError(
      'dry-run',
      `${control} has no dry run: deploy-actions status shows the release waiting for promotion`,
    );
  const pausable =
    settings.strategy.kind === 'blue-green' ||
    (settings.strategy.kind === 'rolling' && settings.strategy.canary);
  if (!pausable)
    throw new ConfigurationError(
      'strategy',
      `${control} acts on a release paused on its slot (blue-green with promotion: manual, or a canary at pause: {}): give strategy: blue-green or canary with its slots and traffic`,
    );
  return settings;
}

/** Blue-green on hosts: the one host both slots run on, or a host per slot, named like it. */
function slotHostsOf(
  hosts: readonly { readonly name: string }[],
  slots: readonly { readonly name: string }[],
): void {
  if (hosts.length === 1) return;
  const names = slots.map((slot) => slot.name);
  if (hosts.length === names.length && names.every((slot) => hosts.some((host) => host.name === slot)))
    return;
  throw new ConfigurationError(
    'hosts',
    `with strategy: blue-green names the one host both slots run on, or a host per slot named like it (${names.join(', ')}); it names ${hosts.map((host) => host.name).join(', ')}. A fleet behind a load balancer takes strategy: rolling`,
  );
}
