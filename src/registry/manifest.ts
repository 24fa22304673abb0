import { createHash } from 'node:crypto';
import { DIGEST } from '../model/image.ts';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** Every manifest type a release may name, indexes (multi-arch) first: the Accept of every manifest request. */
export const MANIFEST_TYPES = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST] as const;
const INDEXES = new Set<string>([OCI_INDEX, DOCKER_LIST]);

/** A manifest as the registry holds it: its exact bytes (what the digest is of) and what it refers to. */
export interface Manifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  /** An index's manifests (one per platform). */
  readonly children: readonly string[];
  /** An image's config and layers: the blobs a copy to another repository must bring. */
  readonly blobs: readonly string[];
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Reads a manifest's bytes as answered, or says why they are not one: not JSON (a proxy's HTML
 * page), a type no release can name, descriptors without digests. The caller has already
 * checked the bytes against their digest.
 */
export function readManifest(
  bytes: Buffer,
  contentType: string | null,
  digest: string,
): Manifest | { readonly problem: string } {
  let parsed: { mediaType?: unknown; manifests?: unknown; config?: unknown; layers?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { problem: `the answer is not JSON (${contentType?.split(';')[0] ?? 'no content type'})` };
  }
  const mediaType =
    typeof parsed.mediaType === 'string' ? parsed.mediaType : contentType?.split(';')[0]?.trim();
  if (!mediaType || !(MANIFEST_TYPES as readonly string[]).includes(mediaType))
    return { problem: `it is a ${mediaType ?? 'manifest of no type'}, not ${MANIFEST_TYPES.join(', ')}` };
  const digests = (list: unknown) =>
    Array.isArray(list) ? list.map((entry) => (entry as { digest?: unknown })?.digest) : [];
  const children = INDEXES.has(mediaType) ? digests(parsed.manifests) : [];
  const blobs = INDEXES.has(mediaType) ? [] : [...digests([parsed.config]), ...digests(parsed.layers)];
  const all = [...children, ...blobs];
  if (all.some((entry) => typeof entry !== 'string' || !DIGEST.test(entry)))
    return { problem: 'a descriptor in it has no sha256 digest' };
  return { digest, mediaType, bytes, children: children as string[], blobs: blobs as string[] };
}

export const isIndex = (manifest: Pick<Manifest, 'mediaType'>) => INDEXES.has(manifest.mediaType);
