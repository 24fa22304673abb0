import pMap from 'p-map';
import { appendAudit } from '../clients/audit-entry.ts';
import { formatDuration } from '../durations.ts';
import { escapeCell, renderDetails, renderTable } from '../markdown.ts';
import { digestOf } from '../model/image.ts';
import { isIndex } from '../registry/manifest.ts';
import type { RegistryClient } from '../registry/registry-client.ts';
import {
  planRetention,
  type RecordedUse,
  type RetentionPlan,
  type TagFact,
} from '../registry/retention-plan.ts';
import { slotContents } from '../release/release-state.ts';
import type { RetentionSettings } from '../settings/registry.ts';
import type { RegistryStepDeps } from './pin-image.ts';

export type RetentionDeps = RegistryStepDeps;

export interface RetentionOutcome {
  readonly result: 'dry-run' | 'deleted' | 'failed';
  readonly repository: string;
  readonly tags: RetentionPlan['tags'];
  /** Removed (or, in a dry run, that would be): each tag, its digest and why. */
  readonly removed: readonly { readonly tag: string; readonly digest: string; readonly why: string }[];
  /** Deletions skipped because a tag moved since it was read. */
  readonly skipped: readonly string[];
  readonly requests: number;
  readonly durationMs: number;
  readonly message: string;
}

/** Requests in flight at once: a registry is shared; a thousand tags still read in seconds. */
const CONCURRENCY = 8;

/**
 * Registry retention: read every tag of the repository (and what each names), read what our
 * records say is in use, decide (planRetention), and only with `delete` remove by digest. A
 * registry that refuses deletes (405) stops it with what to enable; a tag that moved since it was
 * read is left alone.
 */
export async function runRetention(
  settings: RetentionSettings,
  deps: RetentionDeps,
): Promise<RetentionOutcome> {
  const started = deps.clock.now();
  const { registry, repository } = settings.repository;
  const name = `${registry}/${repository}`;
  const client = deps.registryFor(registry);
  const facts = await readTags(client, repository, settings);
  const used = await readUses(client, repository, settings, deps, new Set(facts.map((fact) => fact.digest)));
  const plan = planRetention(facts, used, settings.rules, deps.clock.now());
  const removed = plan.tags
    .filter((decision) => decision.action === 'remove')
    .map(({ tag, digest, why }) => ({ tag, digest, why }));
  const base = { repository: name, tags: plan.tags, removed };
  const kept = plan.tags.length - removed.length;
  if (!settings.delete)
    return {
      ...base,
      result: 'dry-run',
      skipped: [],
      requests: client.requests(),
      durationMs: deps.clock.now() - started,
      message: `Dry run on ${name}: ${removed.length} of ${plan.tags.length} tags would be removed (${plan.deletions.length} manifests), ${kept} kept; nothing was changed. Set delete: true to remove them.`,
    };
  const skipped: string[] = [];
  const gone: typeof removed = [];
  for (const deletion of plan.deletions) {
    const now = await pMap(deletion.tags, async (tag) => (await client.head(repository, tag))?.digest, {
      concurrency: CONCURRENCY,
    });
    if (now.some((digest) => digest !== deletion.digest && digest !== undefined)) {
      skipped.push(deletion.digest);
      deps.logger.warning(
        `${deletion.tags.join(', ')} moved since they were read: ${deletion.digest} is left`,
      );
      continue;
    }
    const answer = await client.deleteManifest(repository, deletion.digest);
    if (answer === 'unsupported') {
      const message = `${registry} refuses deletes (405 UNSUPPORTED)${gone.length ? ` after ${gone.length} tags were removed` : ', nothing was removed'}: enable them (distribution: storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true; GHCR and Docker Hub: delete package versions through their own API), then run the registry's garbage collector to free the space.`;
      await record(deps, { result: 'failed', repository: name, removed: gone, reason: '405' });
      return {
        ...base,
        removed: gone,
        result: 'failed',
        skipped,
        requests: client.requests(),
        durationMs: deps.clock.now() - started,
        message,
      };
    }
    gone.push(...removed.filter((entry) => entry.digest === deletion.digest));
  }
  await record(deps, {
    result: 'deleted',
    repository: name,
    removed: gone.map(({ tag, digest }) => ({ tag, digest })),
  });
  const durationMs = deps.clock.now() - started;
  return {
    ...base,
    removed: gone,
    result: 'deleted',
    skipped,
    requests: client.requests(),
    durationMs,
    message: `Removed ${gone.length} of ${plan.tags.length} tags from ${name} (${plan.deletions.length - skipped.length} manifests) in ${formatDuration(durationMs)}; ${kept} kept${skipped.length ? `; ${skipped.length} left because a tag moved` : ''}. Run the registry's garbage collector to free the space.`,
  };
}

/** Every tag with its digest, an index's children, and an RC's build time. */
async function readTags(
  client: RegistryClient,
  repository: string,
  settings: RetentionSettings,
): Promise<TagFact[]> {
  const tags = await client.tags(repository);
  const heads = await pMap(tags, async (tag) => ({ tag, head: await client.head(repository, tag) }), {
    concurrency: CONCURRENCY,
  });
  const present = heads.filter((entry) => entry.head !== undefined);
  const needsManifest = new Set(
    present
      .filter(({ tag, head }) => isIndex(head!) || settings.rules.rc.pattern.test(tag))
      .map(({ head }) => head!.digest),
  );
  const details = new Map(
    await pMap(
      [...needsManifest],
      async (digest) => [digest, await manifestFacts(client, repository, digest)] as const,
      {
        concurrency: CONCURRENCY,
      },
    ),
  );
  return present.map(({ tag, head }) => ({
    tag,
    digest: head!.digest,
    children: [],
    ...details.get(head!.digest),
  }));
}

async function manifestFacts(client: RegistryClient, repository: string, digest: string) {
  const manifest = await client.manifest(repository, digest);
  const image =
    isIndex(manifest) && manifest.children[0]
      ? await client.manifest(repository, manifest.children[0])
      : manifest;
  const config = image.blobs[0];
  const created = config ? readCreated(await client.blob(repository, config)) : undefined;
  return { children: manifest.children, ...(created !== undefined ? { createdMs: created } : {}) };
}

function readCreated(config: Buffer): number | undefined {
  try {
    const created = Date.parse((JSON.parse(config.toString('utf8')) as { created?: string }).created ?? '');
    return Number.isFinite(created) ? created : undefined;
  } catch {
    return undefined;
  }
}

/** What each environment's record says is in use: current, each slot, its last releases. */
async function readUses(
  client: RegistryClient,
  repository: string,
  settings: RetentionSettings,
  deps: RetentionDeps,
  tagged: ReadonlySet<string>,
): Promise<RecordedUse[]> {
  const uses: RecordedUse[] = [];
  for (const environment of settings.environments) {
    const state = await deps.readRecord(environment);
    const add = (version: string | undefined, why: string) => {
      const digest = version ? digestOf(version) : undefined;
      if (digest) uses.push({ digest, why: `${environment}: ${why}` });
    };
    add(state.current, 'current');
    for (const [slot, release] of slotContents(state))
      if (!release.stopped) add(release.version, `slot ${slot}`);
    for (const release of state.releases.slice(-settings.keepDeployed))
      add(release.version, `one of its last ${settings.keepDeployed} releases`);
  }
  // An index in use that no tag names: its children come from the registry itself.
  return pMap(
    uses,
    async (use) => {
      if (tagged.has(use.digest)) return use;
      const head = await client.head(repository, use.digest);
      return head && isIndex(head)
        ? { ...use, children: (await client.manifest(repository, use.digest)).children }
        : use;
    },
    { concurrency: CONCURRENCY },
  );
}

const record = (deps: Parameters<typeof appendAudit>[0], entry: Readonly<Record<string, unknown>>) =>
  appendAudit(deps, { action: 'registry-retention', ...entry });

export function renderRetentionSummary(outcome: RetentionOutcome): string {
  const icon = outcome.result === 'failed' ? '❌' : outcome.result === 'dry-run' ? '🔍' : '🧹';
  const verb = outcome.result === 'deleted' ? 'removed' : 'would go';
  const row = (entry: { tag: string; digest: string; why: string }) => [
    entry.tag,
    `${entry.digest.slice(0, 19)}…`,
    entry.why,
  ];
  const byTag = (a: { tag: string }, b: { tag: string }) =>
    a.tag.localeCompare(b.tag, 'en', { numeric: true });
  const removed = outcome.removed.toSorted(byTag).map(row);
  const kept = outcome.tags
    .filter((entry) => entry.action === 'keep')
    .toSorted(byTag)
    .map(row);
  return [
    `### ${icon} Registry retention on ${escapeCell(outcome.repository)}: ${outcome.result}`,
    '',
    escapeCell(outcome.message),
    '',
    removed.length
      ? renderTable([`Tag (${verb})`, 'Digest', 'Why'], removed)
      : `No tag ${verb === 'removed' ? 'was removed' : 'would go'}.`,
    '',
    renderDetails(`${kept.length} kept`, kept.length ? renderTable(['Tag', 'Digest', 'Why'], kept) : ''),
    '',
  ].join('\n');
}
