/** Names that move: deploying them twice may deploy two different things. */
const MOVING = new Set([
  'latest',
  'stable',
  'main',
  'master',
  'head',
  'dev',
  'develop',
  'edge',
  'nightly',
  'current',
  'next',
  'canary',
]);
const DIGEST = /^[\w./:-]+@sha256:[0-9a-f]{64}$/;
const GIT_SHA = /^[0-9a-f]{7,40}$/;
const TAG = /^[\w][\w.+-]{0,127}$/;

/**
 * Whether `version` names one build forever: an image digest (`shop@sha256:…`), a git SHA,
 * or a version tag with a number in it (`v1.4.2`, `2026.11.24-3`). `latest`, `main` and the
 * like move, so a deploy of them cannot be repeated or rolled back to.
 */
export function describeMutability(version: string): string | undefined {
  if (DIGEST.test(version) || GIT_SHA.test(version)) return undefined;
  const tag = version.includes(':') ? version.slice(version.lastIndexOf(':') + 1) : version;
  if (MOVING.has(tag.toLowerCase())) return `"${tag}" is a moving name`;
  if (!TAG.test(tag)) return `"${version}" is not a version tag, image digest or git SHA`;
  if (!/\d/.test(tag)) return `"${tag}" has no version number in it`;
  return undefined;
}

const SAFE_VERSION = /^[A-Za-z0-9][\w.+:@/-]{0,255}$/;

/**
 * What makes `version` unusable whatever require-immutable says: versions become directory
 * names, labels and environment variables, never paths that climb or shell text.
 */
export function versionProblem(version: string, driver: string): string | undefined {
  if (!SAFE_VERSION.test(version))
    return `"${version}" is not a version: use letters, digits and . _ + : @ / - (at most 256, starting with a letter or digit)`;
  if (version.split('/').some((segment) => segment === '..' || segment === '.' || segment === ''))
    return `"${version}" has an empty, . or .. path segment`;
  if (driver === 'releases' && version.includes('/'))
    return `"${version}" has a /, and the releases driver keeps each version in a directory named after it`;
  return undefined;
}

/** Environment names become file names and labels: keep them plain. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][\w.-]{0,62}$/;
