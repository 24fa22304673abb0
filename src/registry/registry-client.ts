import { DIGEST } from '../model/image.ts';
import { MANIFEST_TYPES, type Manifest, readManifest, sha256Digest } from './manifest.ts';
import { repositoryScope } from './registry-auth.ts';
import {
  createRegistryHttp,
  RegistryError,
  type RegistryHttp,
  type RegistryHttpOptions,
} from './registry-http.ts';

/** What a tag or digest names right now: its digest and type (HEAD, no body). */
export interface ManifestHead {
  readonly digest: string;
  readonly mediaType: string;
}

/** The distribution API operations the product needs, on one registry. */
export interface RegistryClient {
  readonly registry: string;
  /** What `reference` (a tag or a digest) names, or undefined when the registry has no such manifest. */
  head(repository: string, reference: string): Promise<ManifestHead | undefined>;
  /** The manifest's exact bytes, checked against their digest. */
  manifest(repository: string, reference: string): Promise<Manifest>;
  /** Puts `manifest` under `tag`; the digest the registry computed. */
  putManifest(repository: string, tag: string, manifest: Manifest): Promise<string>;
  blobExists(repository: string, digest: string): Promise<boolean>;
  /** A small blob (an image config), checked against its digest. */
  blob(repository: string, digest: string): Promise<Buffer>;
  /** Brings a blob from `from` into `repository` without moving its bytes; false if the registry would not. */
  mountBlob(repository: string, digest: string, from: string): Promise<boolean>;
  tags(repository: string): Promise<string[]>;
  /** Deletes a manifest by digest (and so every tag on it): deleted, gone already, or unsupported (405). */
  deleteManifest(repository: string, digest: string): Promise<'deleted' | 'absent' | 'unsupported'>;
  /** Requests made so far (the bench counts them). */
  readonly requests: () => number;
}

const ACCEPT = { accept: MANIFEST_TYPES.join(', ') };
const pull = (repository: string) => [repositoryScope(repository, ['pull'])];
const push = (repository: string) => [repositoryScope(repository, ['pull', 'push'])];

export function createRegistryClient(options: RegistryHttpOptions): RegistryClient {
  let count = 0;
  const http: RegistryHttp = createRegistryHttp(options);
  const send: RegistryHttp = (request) => {
    count += 1;
    return http(request);
  };
  const where = (repository: string, reference: string) =>
    `${options.registry}/${repository}${DIGEST.test(reference) ? '@' : ':'}${reference}`;
  const unexpected = (what: string, status: number, body: Buffer) =>
    new RegistryError(`${what}: ${options.registry} answered ${status}${errorCode(body)}`, status);

  return {
    registry: options.registry,
    requests: () => count,
    async head(repository, reference) {
      const answer = await send({
        method: 'HEAD',
        path: `/v2/${repository}/manifests/${reference}`,
        scopes: pull(repository),
        headers: ACCEPT,
      });
      if (answer.status === 404) return undefined;
      if (answer.status !== 200)
        throw unexpected(`HEAD ${where(repository, reference)}`, answer.status, answer.body);
      const digest = answer.headers.get('docker-content-digest');
      const mediaType = answer.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
      // A registry that does not say the digest on HEAD: the bytes tell it.
      if (!digest || !DIGEST.test(digest)) return this.manifest(repository, reference);
      return { digest, mediaType };
    },
    async manifest(repository, reference) {
      const answer = await send({
        method: 'GET',
        path: `/v2/${repository}/manifests/${reference}`,
        scopes: pull(repository),
        headers: ACCEPT,
      });
      const name = where(repository, reference);
      if (answer.status === 404)
        throw new RegistryError(`${name} does not exist${errorCode(answer.body)}`, 404);
      if (answer.status !== 200) throw unexpected(`GET ${name}`, answer.status, answer.body);
      const digest = sha256Digest(answer.body);
      const expected = DIGEST.test(reference) ? reference : answer.headers.get('docker-content-digest');
      const length = Number(answer.headers.get('content-length') ?? answer.body.length);
      if (length !== answer.body.length || (expected && expected !== digest))
        throw new RegistryError(
          `the manifest of ${name} came back damaged (${answer.body.length} of ${length} bytes, digest ${digest}${expected ? `, expected ${expected}` : ''}): nothing was changed`,
        );
      const manifest = readManifest(answer.body, answer.headers.get('content-type'), digest);
      if ('problem' in manifest)
        throw new RegistryError(`${name} is not an image manifest: ${manifest.problem}`);
      return manifest;
    },
    async putManifest(repository, tag, manifest) {
      const answer = await send({
        method: 'PUT',
        path: `/v2/${repository}/manifests/${tag}`,
        scopes: push(repository),
        headers: { 'content-type': manifest.mediaType },
        body: manifest.bytes,
      });
      if (answer.status !== 201 && answer.status !== 200)
        throw unexpected(`PUT ${where(repository, tag)}`, answer.status, answer.body);
      return answer.headers.get('docker-content-digest') ?? manifest.digest;
    },
    async blobExists(repository, digest) {
      const answer = await send({
        method: 'HEAD',
        path: `/v2/${repository}/blobs/${digest}`,
        scopes: pull(repository),
      });
      if (answer.status === 404) return false;
      if (answer.status !== 200) throw unexpected(`HEAD blob ${digest}`, answer.status, answer.body);
      return true;
    },
    async blob(repository, digest) {
      const answer = await send({
        method: 'GET',
        path: `/v2/${repository}/blobs/${digest}`,
        scopes: pull(repository),
      });
      if (answer.status !== 200) throw unexpected(`GET blob ${digest}`, answer.status, answer.body);
      if (sha256Digest(answer.body) !== digest)
        throw new RegistryError(
          `the blob ${digest} of ${repository} came back damaged (${answer.body.length} bytes)`,
        );
      return answer.body;
    },
    async mountBlob(repository, digest, from) {
      const query = new URLSearchParams({ mount: digest, from });
      const answer = await send({
        method: 'POST',
        path: `/v2/${repository}/blobs/uploads/?${query}`,
        scopes: [...push(repository), ...pull(from)],
      });
      if (answer.status === 201) return true;
      if (answer.status !== 202) throw unexpected(`mount ${digest} from ${from}`, answer.status, answer.body);
      // The registry opened an upload instead: cancel it, nothing is left behind.
      const location = answer.headers.get('location');
      if (location) {
        const upload = new URL(location, 'http://registry.invalid');
        await send({
          method: 'DELETE',
          path: `${upload.pathname}${upload.search}`,
          scopes: push(repository),
        }).catch(() => undefined);
      }
      return false;
    },
    async tags(repository) {
      const found: string[] = [];
      for (let path: string | undefined = `/v2/${repository}/tags/list?n=1000`; path; ) {
        const answer = await send({ method: 'GET', path, scopes: pull(repository) });
        if (answer.status === 404) return found;
        if (answer.status !== 200) throw unexpected(`the tags of ${repository}`, answer.status, answer.body);
        const page = JSON.parse(answer.body.toString('utf8')) as { tags?: string[] | null };
        found.push(...(page.tags ?? []));
        path = nextPage(answer.headers.get('link'));
      }
      return found;
    },
    async deleteManifest(repository, digest) {
      const answer = await send({
        method: 'DELETE',
        path: `/v2/${repository}/manifests/${digest}`,
        scopes: [repositoryScope(repository, ['pull', 'push', 'delete'])],
      });
      if (answer.status === 202 || answer.status === 200) return 'deleted';
      if (answer.status === 404) return 'absent';
      if (answer.status === 405) return 'unsupported';
      throw unexpected(`DELETE ${where(repository, digest)}`, answer.status, answer.body);
    },
  };
}

/** `Link: </v2/shop/tags/list?last=v9&n=1000>; rel="next"`: the path of the next page. */
function nextPage(link: string | null): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  if (!match) return undefined;
  const url = new URL(match[1]!, 'http://registry.invalid');
  return `${url.pathname}${url.search}`;
}

/** The distribution API's error code (`MANIFEST_UNKNOWN`), never the body itself. */
function errorCode(body: Buffer): string {
  try {
    const code = (JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[] }).errors?.[0]?.code;
    return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? ` (${code})` : '';
  } catch {
    return '';
  }
}
