import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRetention, type RecordedUse, type TagFact } from '../../src/registry/retention-plan.ts';
import { compileGlob } from '../../src/schema/glob.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6);
const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const tag = (name: string, digest: string, ageDays?: number, children: string[] = []): TagFact => ({
  tag: name,
  digest,
  children,
  ...(ageDays !== undefined ? { createdMs: NOW - ageDays * DAY } : {}),
});
const rules = {
  keepReleases: compileGlob('v*.*.*').pattern,
  rc: { pattern: compileGlob('v*.*.*-rc*').pattern, count: 2, ageMs: 30 * DAY },
  remove: [compileGlob('sha-*')],
  pointers: [compileGlob('prod'), compileGlob('staging')],
};
const decide = (facts: TagFact[], used: RecordedUse[] = []) => {
  const plan = planRetention(facts, used, rules, NOW);
  return {
    plan,
    of: (name: string) => {
      const found = plan.tags.find((entry) => entry.tag === name)!;
      return `${found.action}: ${found.why}`;
    },
  };
};

describe('planRetention: only what a rule names and nothing protects goes', () => {
  const rows: [string, TagFact[], RecordedUse[], string, RegExp][] = [
    ['a final release is kept', [tag('v1.2.3', d(1))], [], 'v1.2.3', /^keep: final release/],
    [
      'a pre-release is never a final release',
      [tag('v1.2.3-beta.1', d(1))],
      [],
      'v1.2.3-beta.1',
      /^keep: no rule names it/,
    ],
    ['an environment pointer is kept', [tag('prod', d(1))], [], 'prod', /^keep: environment pointer/],
    ['a stale sha tag goes', [tag('sha-abc', d(1))], [], 'sha-abc', /^remove: matches sha-\*/],
    ['a tag no rule names stays', [tag('experiment', d(1))], [], 'experiment', /^keep: no rule names it/],
    [
      'a sha tag on the digest prod points to stays (a delete by digest would take prod with it)',
      [tag('sha-abc', d(1)), tag('prod', d(1))],
      [],
      'sha-abc',
      /^keep: matches sha-\*, but also tagged prod, which is kept/,
    ],
    [
      'a sha tag an environment runs stays',
      [tag('sha-abc', d(1))],
      [{ digest: d(1), why: 'production: slot blue' }],
      'sha-abc',
      /^keep: .*but in use: production: slot blue/,
    ],
    [
      'a child of a kept index stays, even tagged sha-',
      [tag('v2.0.0', d(10), undefined, [d(11), d(12)]), tag('sha-amd64', d(11))],
      [],
      'sha-amd64',
      /^keep: .*part of a kept index \(also tagged v2\.0\.0/,
    ],
    [
      'a child of an index an environment runs (untagged itself) stays',
      [tag('sha-arm64', d(12))],
      [{ digest: d(10), why: 'staging: current', children: [d(11), d(12)] }],
      'sha-arm64',
      /^keep: .*part of a kept index \(in use: staging: current\)/,
    ],
  ];
  for (const [name, facts, used, subject, expected] of rows)
    it(name, () => assert.match(decide(facts, used).of(subject), expected));

  it('keeps the newest RCs by count, and any younger than the age; older ones beyond the count go', () => {
    const { of, plan } = decide([
      tag('v1.0.0-rc.1', d(1), 90),
      tag('v1.0.0-rc.2', d(2), 80),
      tag('v1.1.0-rc.1', d(3), 70),
      tag('v1.1.0-rc.2', d(4), 60),
      tag('v1.2.0-rc.1', d(5), 10),
    ]);
    assert.match(of('v1.2.0-rc.1'), /^keep: release candidate within the window/);
    assert.match(of('v1.1.0-rc.2'), /^keep/, 'second newest: within the count');
    assert.match(of('v1.1.0-rc.1'), /^remove: release candidate outside the window/);
    assert.match(of('v1.0.0-rc.1'), /^remove/);
    assert.deepEqual(
      plan.deletions.map((entry) => entry.digest),
      [d(1), d(2), d(3)],
    );
  });

  it('deletes a digest once, with every tag on it, only when all of them go', () => {
    const { plan } = decide([
      tag('sha-a', d(1)),
      tag('sha-b', d(1)),
      tag('sha-c', d(2)),
      tag('experiment', d(2)),
    ]);
    assert.deepEqual(plan.deletions, [{ digest: d(1), tags: ['sha-a', 'sha-b'] }]);
  });
});
