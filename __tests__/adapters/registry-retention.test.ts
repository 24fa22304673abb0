import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haproxySite, START_SLOT } from '../fixtures/blue-green-site.ts';
import {
  type Pushed,
  REGISTRY_PASSWORD,
  REGISTRY_USER,
  startRegistry,
  type TestRegistry,
} from '../fixtures/registry.ts';
import { CLI, runNode } from '../fixtures/run-cli.ts';
import { runStep } from '../harness/run-action.ts';

const DAY = 86_400_000;
const created = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();
const config = (daysAgo: number, arch = 'amd64') => ({
  architecture: arch,
  os: 'linux',
  created: created(daysAgo),
});

/**
 * About 50 tags, as a team's registry holds them after a few months: final releases, RCs of
 * many ages, stale sha- tags, environment pointers, a blue-green slot's digest and a multi-arch
 * index with its children. What an environment runs is read from the records real deploys made.
 */
async function fillRepository(registry: TestRegistry) {
  const push = (tag: string, daysAgo: number, arch?: string) =>
    registry.admin.pushImage('shop', tag, { config: config(daysAgo, arch) });
  const tags = new Map<string, Pushed>();
  for (const [tag, age] of [
    ['v1.0.0', 300],
    ['v1.1.0', 200],
    ['v1.2.0', 100],
  ] as const)
    tags.set(tag, await push(tag, age));
  const amd = await push('sha-idx-amd64', 50, 'amd64');
  const arm = await push('sha-idx-arm64', 50, 'arm64');
  tags.set('sha-idx-amd64', amd).set('sha-idx-arm64', arm);
  tags.set('v2.0.0', await registry.admin.pushIndex('shop', 'v2.0.0', [amd, arm]));
  const rcAges = [200, 150, 120, 90, 60, 40, 20, 5];
  for (const [at, age] of rcAges.entries())
    tags.set(`v1.3.0-rc.${at + 1}`, await push(`v1.3.0-rc.${at + 1}`, age));
  for (let n = 1; n <= 30; n += 1)
    tags.set(`sha-${String(n).padStart(4, '0')}`, await push(`sha-${String(n).padStart(4, '0')}`, 400 - n));
  // sha-0007 is also v1.1.0 (a final release); prod points at v1.2.0; an unrelated tag no rule names.
  await registry.admin.putManifest(
    'shop',
    'sha-0007',
    tags.get('v1.1.0')!.bytes,
    tags.get('v1.1.0')!.mediaType,
  );
  tags.set('sha-0007', tags.get('v1.1.0')!);
  await registry.admin.putManifest('shop', 'prod', tags.get('v1.2.0')!.bytes, tags.get('v1.2.0')!.mediaType);
  tags.set('prod', tags.get('v1.2.0')!);
  tags.set('experiment-x', await push('experiment-x', 500));
  return tags;
}

describe('registry-retention: removes what the rules name, never what is in use', () => {
  let registry: TestRegistry;
  let tags: Map<string, Pushed>;
  let site: Awaited<ReturnType<typeof haproxySite>>;
  let stateDir: string;
  const expectedRemoved = [
    // RCs outside the newest 3 and older than 30 days; rc.3 runs on staging, so it stays.
    'v1.3.0-rc.1',
    'v1.3.0-rc.2',
    'v1.3.0-rc.4',
    'v1.3.0-rc.5',
    // sha- tags, but 7 (= v1.1.0), 11 (production's warm slot) and 12 (production's live slot).
    ...Array.from({ length: 30 }, (_, at) => `sha-${String(at + 1).padStart(4, '0')}`).filter(
      (tag) => !['sha-0007', 'sha-0011', 'sha-0012'].includes(tag),
    ),
  ].sort();

  const retention = (inputs: Record<string, string>) =>
    runStep('registry-retention', {
      with: {
        repository: `${registry.host}/shop`,
        'keep-rc': '{ count: 3, age: 30d }',
        environments: 'production, staging',
        'keep-tags': '[prod]',
        'state-dir': stateDir,
        ...inputs,
      },
    });

  before(async () => {
    registry = await startRegistry();
    tags = await fillRepository(registry);
    site = await haproxySite('retention');
    stateDir = path.join(site.dir, 'state');
    const image = (tag: string) => `${registry.host}/shop:${tag}`;
    for (const tag of ['sha-0011', 'sha-0012']) {
      const step = await runStep('deploy', {
        with: {
          ...site.target,
          environment: 'production',
          image: image(tag),
          command: START_SLOT,
          'verify-probes':
            '- { name: slot, type: http, url: "{slot_url}/api/health", count: 1, interval: 100ms }',
          'state-dir': stateDir,
        },
        env: site.env,
      });
      assert.equal(step.outcome, 'success', step.log);
    }
    const staging = await runStep('deploy', {
      with: { environment: 'staging', image: image('v1.3.0-rc.3'), command: 'true', 'state-dir': stateDir },
    });
    assert.equal(staging.outcome, 'success', staging.log);
  });
  after(() => Promise.all([registry.close(), site.close()]));

  it('a dry run lists exactly what would go, and why, and changes nothing', async () => {
    const before = await registry.admin.tags('shop');
    assert.equal(before.length, 46);
    const step = await retention({});
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.result, 'dry-run');
    const removed = JSON.parse(step.outputs.removed!) as { tag: string; why: string }[];
    assert.deepEqual(removed.map((entry) => entry.tag).sort(), expectedRemoved);
    assert.deepEqual(await registry.admin.tags('shop'), before, 'nothing changed');
    assert.ok(!registry.requests.some((line) => line.startsWith('DELETE')), 'no DELETE sent');
    const report = JSON.parse(step.outputs.report!) as { tags: { tag: string; why: string }[] };
    const why = (tag: string) => report.tags.find((entry) => entry.tag === tag)!.why;
    assert.match(why('sha-0011'), /in use: production: slot (blue|green)/);
    assert.match(why('sha-0012'), /in use: production: current/);
    assert.match(why('v1.3.0-rc.3'), /in use: staging: current/);
    assert.match(why('sha-0007'), /also tagged (v1\.1\.0|sha-0007)|final release/);
    assert.match(why('sha-idx-amd64'), /part of a kept index/);
    assert.match(why('prod'), /environment pointer/);
    assert.match(why('experiment-x'), /no rule names it/);
    assert.match(step.summary, /Registry retention on .*shop: dry-run/);
    assert.match(step.summary, /\| sha-0001 \| sha256:[0-9a-f]{12}… \| matches sha-\\\* \|/);
  });

  it('deletes exactly that set by digest; everything in use still resolves', async () => {
    const step = await retention({ delete: 'true' });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.result, 'deleted');
    const left = await registry.admin.tags('shop');
    const all = [...tags.keys()].sort();
    assert.deepEqual(
      left,
      all.filter((tag) => !expectedRemoved.includes(tag)),
    );
    for (const tag of ['sha-0011', 'sha-0012', 'v1.3.0-rc.3', 'v2.0.0', 'prod', 'v1.1.0'])
      assert.equal((await registry.admin.manifest('shop', tag))?.digest, tags.get(tag)!.digest, tag);
    for (const child of ['sha-idx-amd64', 'sha-idx-arm64'])
      assert.ok(await registry.admin.manifest('shop', tags.get(child)!.digest), `${child} of the kept index`);
    const audit = readFileSync(path.join(stateDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(audit.at(-1).action, 'registry-retention');
    assert.equal(audit.at(-1).removed.length, expectedRemoved.length);
    const again = await retention({ delete: 'true' });
    assert.deepEqual(JSON.parse(again.outputs.removed!), [], 'a second run finds nothing to remove');
  });
});

describe('registry-retention against registries that refuse', () => {
  let noDeletes: TestRegistry;
  let locked: TestRegistry;
  before(async () => {
    [noDeletes, locked] = await Promise.all([
      startRegistry({ deletes: false }),
      startRegistry({ auth: 'htpasswd' }),
    ]);
  });
  after(() => Promise.all([noDeletes.close(), locked.close()]));

  it('a registry without deletes: the clear message, nothing removed', async () => {
    await noDeletes.admin.pushImage('shop', 'sha-0001');
    await noDeletes.admin.pushImage('shop', 'v1.0.0');
    const step = await runStep('registry-retention', {
      with: {
        repository: `${noDeletes.host}/shop`,
        delete: 'true',
        'state-dir': mkdtempSync(path.join(tmpdir(), 'retention-')),
      },
    });
    assert.equal(step.outcome, 'failure');
    assert.equal(step.outputs.result, 'failed');
    assert.match(
      JSON.parse(step.outputs.report!).message,
      /refuses deletes \(405 UNSUPPORTED\), nothing was removed: enable them \(distribution: storage\.delete\.enabled: true/,
    );
    assert.deepEqual(await noDeletes.admin.tags('shop'), ['sha-0001', 'v1.0.0']);
  });

  it('the CLI, with basic credentials that appear nowhere; bad rules name their input', async () => {
    await locked.admin.pushImage('shop', 'sha-0001');
    const run = await runNode([
      CLI,
      'registry-retention',
      '--repository',
      `${locked.host}/shop`,
      '--registry-username',
      REGISTRY_USER,
      '--registry-password',
      REGISTRY_PASSWORD,
      '--state-dir',
      mkdtempSync(path.join(tmpdir(), 'retention-')),
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      JSON.parse(run.stdout).removed.map((entry: { tag: string }) => entry.tag),
      ['sha-0001'],
    );
    assert.ok(!run.stdout.includes(REGISTRY_PASSWORD) && !run.stderr.includes(REGISTRY_PASSWORD));
    for (const request of locked.requests) assert.ok(!request.includes(REGISTRY_PASSWORD));
    const bad = await runNode([
      CLI,
      'registry-retention',
      '--repository',
      `${locked.host}/shop`,
      '--keep-rc',
      '{ count: -1, age: 30d }',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--keep-rc: field "count"/);
    const tagged = await runNode([CLI, 'registry-retention', '--repository', `${locked.host}/shop:v1`]);
    assert.match(tagged.stderr, /--repository: .* names a tag or digest: give registry\/name only/);
  });
});
