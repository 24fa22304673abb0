import type { ImageWatch } from '../deploy/verify.ts';
import { ConfigurationError } from '../errors.ts';
import { type ImageReference, pinnedName, repositoryName } from '../model/image.ts';
import type { DeploySettings, RollbackSettings } from '../model/release.ts';
import type { AuditLog, Clock, EnvironmentState, Logger, RunContext } from '../ports.ts';
import type { RegistryClient } from '../registry/registry-client.ts';

/** A registry client for `registry` (host[:port]), with the release's credentials. */
export type RegistryFor = (registry: string) => RegistryClient;

/** What the registry steps (promote-image, registry-retention) need: a registry, records read, an audit log. */
export interface RegistryStepDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly run: RunContext;
  readonly registryFor: RegistryFor;
  /** An environment's record (file or GitHub Deployments), read, never changed. */
  readRecord(environment: string): Promise<EnvironmentState>;
  readonly audit: AuditLog;
}

export interface PinnedDeploy<S extends DeploySettings> {
  /** The settings with version = `registry/name@sha256:…`. */
  readonly settings: S;
  /** Asked again before the release goes live: the tag must still name the digest deployed. */
  readonly watch?: ImageWatch;
}

/** A rollback given an image: its digest (which the history must hold) becomes to-version. */
export async function pinRollbackImage<S extends RollbackSettings>(
  settings: S,
  deps: { readonly logger: Logger; readonly registryFor: RegistryFor },
): Promise<S> {
  const { image } = settings;
  if (!image) return settings;
  const digest = await resolveDigest(image, deps);
  return { ...settings, toVersion: pinnedName({ ...image, digest }) };
}

/**
 * Resolves the image a deploy names to its digest, before anything runs: the digest is what the
 * driver gets, what is recorded and what is verified. A digest asked for must exist; a tag is
 * pinned to what it names now, and watched, so that a tag re-pushed during the release stops it
 * before users reach the release.
 */
export async function pinImage<S extends DeploySettings>(
  settings: S,
  deps: { readonly logger: Logger; readonly registryFor: RegistryFor },
): Promise<PinnedDeploy<S>> {
  const { image } = settings;
  if (!image) return { settings };
  const client = deps.registryFor(image.registry);
  const digest = await resolveDigest(image, deps);
  const version = pinnedName({ ...image, digest });
  if (image.digest || !image.tag) return { settings: { ...settings, version } };
  const tag = image.tag;
  return {
    settings: { ...settings, version },
    watch: {
      async moved(verified) {
        if (verified !== version) return undefined;
        const now = await client.head(image.repository, tag);
        if (now?.digest === digest) return undefined;
        return `the tag ${tag} of ${repositoryName(image)} ${now ? `moved to ${now.digest}` : 'was deleted'} during the release (it named ${digest}): a release tag must not move`;
      },
    },
  };
}

function describe(image: ImageReference): string {
  return `${repositoryName(image)}${image.digest ? `@${image.digest}` : `:${image.tag}`}`;
}

/** What the image names now, said in the log: a digest asked for must exist, a tag is read. */
export async function resolveDigest(
  image: ImageReference,
  deps: { readonly logger: Logger; readonly registryFor: RegistryFor },
): Promise<string> {
  const head = await deps.registryFor(image.registry).head(image.repository, image.digest ?? image.tag!);
  if (!head)
    throw new ConfigurationError('image', `${describe(image)} does not exist in ${image.registry} (404)`);
  const digest = image.digest ?? head.digest;
  deps.logger.info(`${describe(image)} is ${digest} (${head.mediaType || 'manifest'})`);
  return digest;
}
