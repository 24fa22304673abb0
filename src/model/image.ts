/**
 * A container image reference as the OCI distribution spec and Docker read it:
 * `[registry[:port]/]repository[:tag][@sha256:…]`. A first component with a `.` or `:`, or
 * `localhost`, is the registry; otherwise it is Docker Hub (`docker.io`, one-word names under
 * `library/`), as `docker pull` would read it.
 */
export interface ImageReference {
  /** host[:port] as written (docker.io for Docker Hub). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** An image pinned to one manifest: what a release deploys, records and verifies. */
export interface PinnedImage {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  /** The tag it was asked for by, when it was. */
  readonly tag?: string;
}

export const DIGEST = /^sha256:[0-9a-f]{64}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/** Reads `text` as an image reference, or says what is wrong with it. */
export function parseImageReference(text: string): ImageReference | { readonly problem: string } {
  const bad = (why: string) => ({ problem: `"${text.slice(0, 200)}" is not an image reference: ${why}` });
  if (text.length > 512) return bad('longer than 512 characters');
  const at = text.indexOf('@');
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  if (digest !== undefined && !DIGEST.test(digest)) return bad('its digest is not sha256: and 64 hex digits');
  const named = at >= 0 ? text.slice(0, at) : text;
  const slash = named.indexOf('/');
  const first = slash >= 0 ? named.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  if (!HOST.test(registry)) return bad(`"${registry}" is not a host[:port]`);
  const rest = hasRegistry ? named.slice(slash + 1) : named;
  const colon = rest.lastIndexOf(':');
  const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  if (tag !== undefined && !TAG.test(tag))
    return bad(`"${tag}" is not a tag (letters, digits, _ . -; at most 128)`);
  const components = path.split('/');
  if (path === '' || !components.every((part) => COMPONENT.test(part)))
    return bad('the repository is lowercase letters and digits, separated by . _ - or /');
  const repository = registry === 'docker.io' && components.length === 1 ? `library/${path}` : path;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository`, as people write it. */
export function repositoryName(image: Pick<ImageReference, 'registry' | 'repository'>): string {
  return `${image.registry}/${image.repository}`;
}

/** `registry/repository@sha256:…`: the release's version and DEPLOY_IMAGE. */
export function pinnedName(image: PinnedImage): string {
  return `${repositoryName(image)}@${image.digest}`;
}

/** The digest a version names (`…@sha256:…`), if it names one. */
export function digestOf(version: string): string | undefined {
  const at = version.lastIndexOf('@');
  return at >= 0 && DIGEST.test(version.slice(at + 1)) ? version.slice(at + 1) : undefined;
}

/**
 * Whether a service reporting `reported` runs `version`: the same text, or, for an image release,
 * its digest (`sha256:…`) or any reference pinned to it (`shop@sha256:…`, another registry's name
 * of the same manifest). A tag is never enough: it does not say which build.
 */
export function reportsRelease(reported: string, version: string): boolean {
  if (reported === version) return true;
  const digest = digestOf(version);
  return digest !== undefined && (reported === digest || digestOf(reported) === digest);
}
