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

/** Environment names become file names and labels: keep them plain. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][\w.-]{0,62}$/;
