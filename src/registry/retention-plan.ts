import type { Glob } from '../schema/glob.ts';

/** One tag as the registry holds it, with what retention needs to know of its manifest. */
export interface TagFact {
  readonly tag: string;
  readonly digest: string;
  /** An index's children (multi-arch): kept whenever the index is. */
  readonly children: readonly string[];
  /** When the image was built (its config's `created`), if it says. */
  readonly createdMs?: number;
}

/** A digest our own records say an environment runs, ran recently, or holds in a slot. */
export interface RecordedUse {
  readonly digest: string;
  /** `production: current`, `production: slot blue`, `staging: release 3 of the last 10`. */
  readonly why: string;
  /** Its children when it is an index: kept with it, tagged or not. */
  readonly children?: readonly string[];
}

export interface RetentionRules {
  /** Final releases, kept forever (a tag with a pre-release `-` part never is one). */
  readonly keepReleases: RegExp;
  /** Release candidates: the newest `count` and those younger than `ageMs` are kept. */
  readonly rc: { readonly pattern: RegExp; readonly count: number; readonly ageMs: number };
  /** Stale tags to remove (`sha-*`), unless something keeps them. */
  readonly remove: readonly Glob[];
  /** Environment pointer tags (`prod`, `staging`): kept, and what they name with them. */
  readonly pointers: readonly Glob[];
}

export interface TagDecision {
  readonly tag: string;
  readonly digest: string;
  readonly action: 'keep' | 'remove';
  readonly why: string;
}

export interface RetentionPlan {
  readonly tags: readonly TagDecision[];
  /** Manifests to delete by digest: every tag on each is to go, and nothing protects it. */
  readonly deletions: readonly { readonly digest: string; readonly tags: readonly string[] }[];
}

/**
 * What a retention run removes, decided over what the registry holds and what our records say
 * is in use. A tag is a candidate by the rules (a stale pattern, an RC outside its window); it is
 * removed only if its digest is protected by nothing: not an environment's current, recent or slot
 * release, not under any kept tag (a registry deletes a manifest with every tag on it), not a
 * child of any kept index. Tags no rule names are kept: retention removes only what it was told to.
 */
export function planRetention(
  facts: readonly TagFact[],
  used: readonly RecordedUse[],
  rules: RetentionRules,
  nowMs: number,
): RetentionPlan {
  const rcWindow = rcKept(facts, rules, nowMs);
  const candidates = facts.map((fact) => ({ fact, rule: candidacy(fact, rules, rcWindow) }));
  const keptTags = candidates.filter((entry) => entry.rule.action === 'keep').map((entry) => entry.fact);
  const protectedBy = new Map<string, string>();
  for (const use of used) if (!protectedBy.has(use.digest)) protectedBy.set(use.digest, `in use: ${use.why}`);
  for (const fact of keptTags)
    if (!protectedBy.has(fact.digest)) protectedBy.set(fact.digest, `also tagged ${fact.tag}, which is kept`);
  const childrenOf = new Map<string, readonly string[]>([
    ...facts.map((fact) => [fact.digest, fact.children] as const),
    ...used.map((use) => [use.digest, use.children ?? []] as const),
  ]);
  for (const [digest, why] of [...protectedBy])
    for (const child of childrenOf.get(digest) ?? [])
      if (!protectedBy.has(child)) protectedBy.set(child, `part of a kept index (${why})`);
  const tags = candidates.map(({ fact, rule }): TagDecision => {
    if (rule.action === 'keep') return { tag: fact.tag, digest: fact.digest, ...rule };
    const kept = protectedBy.get(fact.digest);
    return kept
      ? { tag: fact.tag, digest: fact.digest, action: 'keep', why: `${rule.why}, but ${kept}` }
      : { tag: fact.tag, digest: fact.digest, ...rule };
  });
  const removed = new Map<string, string[]>();
  for (const decision of tags)
    if (decision.action === 'remove')
      removed.set(decision.digest, [...(removed.get(decision.digest) ?? []), decision.tag]);
  return {
    tags,
    deletions: [...removed].map(([digest, names]) => ({ digest, tags: names.sort() })),
  };
}

type Rule = { readonly action: 'keep' | 'remove'; readonly why: string };

function candidacy(fact: TagFact, rules: RetentionRules, rcWindow: ReadonlySet<string>): Rule {
  if (isPointer(fact.tag, rules)) return { action: 'keep', why: 'environment pointer' };
  if (!fact.tag.includes('-') && rules.keepReleases.test(fact.tag))
    return { action: 'keep', why: 'final release' };
  if (rules.rc.pattern.test(fact.tag))
    return rcWindow.has(fact.tag)
      ? { action: 'keep', why: 'release candidate within the window' }
      : { action: 'remove', why: 'release candidate outside the window' };
  const stale = rules.remove.find((rule) => rule.pattern.test(fact.tag));
  if (stale) return { action: 'remove', why: `matches ${stale.glob}` };
  return { action: 'keep', why: 'no rule names it' };
}

/** The RCs kept: the newest `count` (by build time, then name), and any younger than the age. */
function rcKept(facts: readonly TagFact[], rules: RetentionRules, nowMs: number): ReadonlySet<string> {
  const rcs = facts
    .filter((fact) => rules.rc.pattern.test(fact.tag) && !isPointer(fact.tag, rules))
    .toSorted(
      (a, b) =>
        (b.createdMs ?? 0) - (a.createdMs ?? 0) || b.tag.localeCompare(a.tag, 'en', { numeric: true }),
    );
  return new Set(
    rcs
      .filter(
        (fact, at) =>
          at < rules.rc.count || (fact.createdMs !== undefined && nowMs - fact.createdMs < rules.rc.ageMs),
      )
      .map((fact) => fact.tag),
  );
}

const isPointer = (tag: string, rules: RetentionRules) =>
  rules.pointers.some((rule) => rule.pattern.test(tag));
