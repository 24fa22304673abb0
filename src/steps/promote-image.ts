import { appendAudit } from '../clients/audit-entry.ts';
import { formatDuration } from '../durations.ts';
import { escapeCell, renderTable } from '../markdown.ts';
import { pinnedName, repositoryName } from '../model/image.ts';
import { pointTag } from '../registry/point-tag.ts';
import { promotionEvidence } from '../registry/promotion-evidence.ts';
import type { PromoteImageSettings } from '../settings/registry.ts';
import { type RegistryStepDeps, resolveDigest } from './pin-image.ts';

export type PromoteImageDeps = RegistryStepDeps;

export interface PromoteImageOutcome {
  readonly result: 'promoted' | 'refused';
  readonly digest: string;
  /** registry/name@sha256:…, what a deploy of it is given. */
  readonly image: string;
  /** registry/name:tag, the tag pointed at it. */
  readonly tag: string;
  readonly from: string;
  readonly to: string;
  /** The release in from-environment that vouched for the digest. */
  readonly evidence?: { readonly version: string; readonly finishedAt?: string; readonly runUrl?: string };
  /** What the tag named before (absent: it is new). */
  readonly previous?: string;
  readonly mounted: number;
  readonly durationMs: number;
  readonly message: string;
}

/**
 * Promotes the exact tested digest from one environment's tag to the next's: resolve the image,
 * refuse unless from-environment's record shows that digest deployed and verified good, point
 * the tag at the same manifest (no rebuild, no layer pulled), read it back, record it.
 */
export async function runPromoteImage(
  settings: PromoteImageSettings,
  deps: PromoteImageDeps,
): Promise<PromoteImageOutcome> {
  const started = deps.clock.now();
  const { image, target, from, to } = settings;
  const client = deps.registryFor(image.registry);
  const digest = await resolveDigest(image, deps);
  const tag = `${repositoryName({ registry: image.registry, repository: target.repository })}:${target.tag}`;
  const base = { digest, image: pinnedName({ ...image, digest }), tag, from, to, mounted: 0 };
  const evidence = promotionEvidence(await deps.readRecord(from), digest, from);
  if (!evidence.ok) {
    const message = `Not promoted: ${evidence.problem}; only a digest verified good on ${from} goes to ${to}. ${tag} is unchanged.`;
    await record(deps, { ...base, result: 'refused', reason: evidence.problem });
    return { ...base, result: 'refused', durationMs: deps.clock.now() - started, message };
  }
  const previous = (await client.head(target.repository, target.tag))?.digest;
  const pointed = await pointTag(client, { repository: image.repository, digest }, target);
  const proof = {
    version: evidence.release.version,
    ...(evidence.release.finishedAt ? { finishedAt: evidence.release.finishedAt } : {}),
    ...(evidence.release.runUrl ? { runUrl: evidence.release.runUrl } : {}),
  };
  const durationMs = deps.clock.now() - started;
  await record(deps, { ...base, mounted: pointed.mounted, result: 'promoted', evidence: proof, previous });
  const moved = previous === digest ? 'already named it' : previous ? `named ${previous} before` : 'is new';
  return {
    ...base,
    result: 'promoted',
    evidence: proof,
    ...(previous ? { previous } : {}),
    mounted: pointed.mounted,
    durationMs,
    message: `Promoted ${pinnedName({ ...image, digest })} from ${from} to ${to}: ${tag} now names it, read back byte for byte (it ${moved}; ${pointed.mounted} blobs mounted, no layer pulled) in ${formatDuration(durationMs)}.`,
  };
}

const record = (deps: Parameters<typeof appendAudit>[0], entry: Readonly<Record<string, unknown>>) =>
  appendAudit(deps, { action: 'promote-image', ...entry });

export function renderPromoteImageSummary(outcome: PromoteImageOutcome): string {
  const icon = outcome.result === 'promoted' ? '✅' : '❌';
  const rows = [
    ['Digest', `\`${outcome.digest}\``],
    ['Tag', `\`${escapeCell(outcome.tag)}\``],
    [
      'Before',
      outcome.previous ? `\`${outcome.previous}\`` : outcome.result === 'promoted' ? 'new tag' : '—',
    ],
    [
      `Verified on ${escapeCell(outcome.from)}`,
      outcome.evidence
        ? `${escapeCell(outcome.evidence.version)}${outcome.evidence.finishedAt ? ` at ${outcome.evidence.finishedAt}` : ''}${outcome.evidence.runUrl ? ` ([run](${outcome.evidence.runUrl}))` : ''}`
        : 'no verified release',
    ],
    ['Blobs mounted', String(outcome.mounted)],
  ];
  return `### ${icon} Promote image ${escapeCell(outcome.from)} → ${escapeCell(outcome.to)}: ${outcome.result}\n\n${escapeCell(outcome.message)}\n\n${renderTable(['', ''], rows)}\n`;
}
