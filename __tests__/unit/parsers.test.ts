import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, readDuration } from '../../src/durations.ts';
import { versionProblem } from '../../src/model/version.ts';
import { compileJsonPath, type JsonPath, selectJsonPath } from '../../src/schema/json-path.ts';
import { compileStatusMatcher, type StatusMatcher, statusMatches } from '../../src/schema/status-matcher.ts';
import { compileThreshold, satisfies, type Threshold } from '../../src/schema/threshold.ts';

describe('durations', () => {
  it('reads the forms people write', () => {
    assert.deepEqual(readDuration('500ms'), { ms: 500 });
    assert.deepEqual(readDuration('5s'), { ms: 5000 });
    assert.deepEqual(readDuration('1.5m'), { ms: 90_000 });
    assert.deepEqual(readDuration('2h'), { ms: 7_200_000 });
    assert.deepEqual(readDuration('30'), { ms: 30_000 });
    assert.deepEqual(readDuration(10), { ms: 10_000 });
  });
  it('says what is wrong with a negative or garbled one', () => {
    assert.match((readDuration('-5s') as { problem: string }).problem, /must not be negative/);
    assert.match(
      (readDuration('5 parsecs') as { problem: string }).problem,
      /is not a duration; use e.g. 500ms/,
    );
  });
  it('refuses a duration longer than a timer can wait, instead of firing at once', () => {
    // Node clamps a delay above 2^31−1 ms to 1 ms: 600h as a timeout used to kill a deploy at once.
    assert.deepEqual(readDuration('576h'), { ms: 576 * 3_600_000 });
    for (const raw of ['600h', '99999999999999999999', 2_147_484])
      assert.match(
        (readDuration(raw) as { problem: string }).problem,
        /longer than the longest wait this tool can keep/,
      );
  });
  it('formats for people', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(4200), '4.2 s');
    assert.equal(formatDuration(185_000), '3 m 5 s');
  });
});

describe('JSON paths', () => {
  const doc = { status: 'UP', components: { db: { status: 'DOWN' } }, 'x-y': [10, { z: true }] };
  const at = (source: string) => selectJsonPath(doc, compileJsonPath(source) as JsonPath);
  it('selects fields, quoted names and indexes, with or without Argo braces', () => {
    assert.deepEqual(at('$.status'), { found: true, value: 'UP' });
    assert.deepEqual(at('{$.components.db.status}'), { found: true, value: 'DOWN' });
    assert.deepEqual(at("$['x-y'][1].z"), { found: true, value: true });
    assert.deepEqual(at('$["x-y"][0]'), { found: true, value: 10 });
    assert.deepEqual(at('$'), { found: true, value: doc });
  });
  it('reports a missing step as not found, never as undefined equal to something', () => {
    assert.deepEqual(at('$.nope'), { found: false });
    assert.deepEqual(at('$.status.length'), { found: false });
    assert.deepEqual(at("$['x-y'][5]"), { found: false });
  });
  it('rejects what it does not understand with a sentence', () => {
    assert.match((compileJsonPath('status') as { problem: string }).problem, /must start with \$/);
    assert.match(
      (compileJsonPath('$.a[?(@.b)]') as { problem: string }).problem,
      /not understood at "\[\?\(@\.b\)\]"/,
    );
    assert.match((compileJsonPath('$..a') as { problem: string }).problem, /not understood/);
  });
});

describe('status matchers', () => {
  const matcher = (raw: unknown) => compileStatusMatcher(raw) as StatusMatcher;
  it('accepts a code, a class, a range and lists', () => {
    assert.ok(statusMatches(matcher(200), 200));
    assert.ok(statusMatches(matcher('2xx'), 204));
    assert.ok(!statusMatches(matcher('2xx'), 301));
    assert.ok(statusMatches(matcher('200-299'), 299));
    assert.ok(statusMatches(matcher([200, 204]), 204));
    assert.ok(statusMatches(matcher('200, 301'), 301));
    assert.ok(!statusMatches(matcher('200,301'), 302));
  });
  it('rejects nonsense', () => {
    for (const raw of ['ok', '600', '299-200', '2x']) {
      assert.match((compileStatusMatcher(raw) as { problem: string }).problem, /is not a status/, raw);
    }
  });
});

describe('thresholds', () => {
  const threshold = (raw: string) => compileThreshold(raw) as Threshold;
  it('compares as written', () => {
    assert.ok(satisfies(threshold('< 90'), 89.9));
    assert.ok(!satisfies(threshold('< 90'), 90));
    assert.ok(satisfies(threshold('<=90'), 90));
    assert.ok(satisfies(threshold('== 1'), 1));
    assert.ok(satisfies(threshold('!= 0'), 2));
    assert.ok(satisfies(threshold('>= -1.5'), -1));
  });
  it('never treats NaN as satisfying', () => {
    assert.ok(!satisfies(threshold('!= 0'), Number.NaN));
  });
  it('rejects a bare number or words', () => {
    assert.match((compileThreshold('90') as { problem: string }).problem, /not a comparison/);
    assert.match((compileThreshold('below 90') as { problem: string }).problem, /not a comparison/);
  });
});

describe('versions are names, never paths or shell text', () => {
  const digest = `@sha256:${'a'.repeat(64)}`;
  it('accepts tags, SHAs and image digests', () => {
    for (const version of ['v1.4.2', '2026.11.24-3', 'a1b2c3d', `registry.io/acme/shop${digest}`])
      assert.equal(versionProblem(version, 'command'), undefined, version);
  });
  it('refuses climbing segments, shell text, and a / where a version becomes a directory', () => {
    assert.match(versionProblem(`acme/../../x${digest}`, 'command')!, /path segment/);
    assert.match(versionProblem(`../x${digest}`, 'command')!, /is not a version/);
    assert.match(versionProblem("v1';touch x;'", 'command')!, /is not a version/);
    assert.match(versionProblem('v1 $(id)', 'command')!, /is not a version/);
    assert.match(
      versionProblem(`acme/shop${digest}`, 'releases')!,
      /releases driver keeps each version in a directory/,
    );
  });
});
