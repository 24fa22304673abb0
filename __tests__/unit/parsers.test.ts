import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, readDuration } from '../../src/durations.ts';
import { compileJsonPath, type JsonPath, selectJsonPath } from '../../src/health/json-path.ts';
import { compileStatusMatcher, type StatusMatcher, statusMatches } from '../../src/health/status-matcher.ts';
import { compileThreshold, satisfies, type Threshold } from '../../src/health/threshold.ts';

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
