import { isIndex, type Manifest } from './manifest.ts';
import type { RegistryClient } from './registry-client.ts';
import { RegistryError } from './registry-http.ts';

export interface TagPointed {
  /** The manifest now under the tag, byte for byte the source's. */
  readonly manifest: Manifest;
  /** Blobs brought from the source repository by mount (none within one repository). */
  readonly mounted: number;
  /** Manifests put: the tag's, and an index's children in another repository. */
  readonly put: number;
}

/**
 * Points `to.tag` at the manifest `from.digest` names, with no rebuild and no layer pulled: the
 * manifest is fetched by digest and put under the tag as the same bytes. Into another repository
 * of the registry, what it refers to comes first (each blob mounted, an index's children put by
 * digest), so the registry accepts it. The tag is then read back and its bytes compared: what the
 * registry now serves under it is exactly what was tested, or the promotion failed.
 */
export async function pointTag(
  client: RegistryClient,
  from: { readonly repository: string; readonly digest: string },
  to: { readonly repository: string; readonly tag: string },
): Promise<TagPointed> {
  const manifest = await client.manifest(from.repository, from.digest);
  const carried =
    from.repository === to.repository
      ? { mounted: 0, put: 0 }
      : await carry(client, manifest, from.repository, to.repository);
  await client.putManifest(to.repository, to.tag, manifest);
  const back = await client.manifest(to.repository, to.tag);
  if (!back.bytes.equals(manifest.bytes))
    throw new RegistryError(
      `${client.registry}/${to.repository}:${to.tag} reads back as ${back.digest}, not ${manifest.digest}: the tag does not name what was tested`,
    );
  return { manifest, mounted: carried.mounted, put: carried.put + 1 };
}

/** Everything `manifest` refers to, made present in `repository` (blobs mounted, children put). */
async function carry(
  client: RegistryClient,
  manifest: Manifest,
  source: string,
  repository: string,
): Promise<{ mounted: number; put: number }> {
  if (isIndex(manifest)) {
    let mounted = 0;
    for (const digest of manifest.children) {
      const child = await client.manifest(source, digest);
      mounted += (await carry(client, child, source, repository)).mounted;
      await client.putManifest(repository, digest, child);
    }
    return { mounted, put: manifest.children.length };
  }
  let mounted = 0;
  for (const blob of manifest.blobs) {
    if (await client.blobExists(repository, blob)) continue;
    if (!(await client.mountBlob(repository, blob, source)))
      throw new RegistryError(
        `${client.registry} would not mount ${blob} from ${source} into ${repository}: promotion copies no layers; allow cross-repository mounts (or promote within one repository)`,
      );
    mounted += 1;
  }
  return { mounted, put: 0 };
}
