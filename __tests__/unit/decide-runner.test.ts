import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CheckFact,
  decideRunner,
  judgeCandidate,
  judgeReading,
  type Reading,
} from '../../src/gate/decide-runner.ts';
import { compileThreshold, type Threshold } from '../../src/schema/threshold.ts';

const check = (name: string, expect: string) => ({
  name,
  query: `${name}{runner="{runner}"}`,
  expect: compileThreshold(expect) as Threshold,
});
const ONLINE = check('online', '== 1');
const CPU = check('cpu', '< 90');
const values = (...v: number[]): Reading => ({ kind: 'values', values: v });

function candidate(name: string, readings: [Reading, Reading]) {
  const facts: CheckFact[] = [judgeReading(ONLINE, readings[0]), judgeReading(CPU, readings[1])];
  return judgeCandidate({ name, labels: ['self-hosted', name] }, facts);
}

describe('runner gate decisions (pure)', () => {
  it('judges readings: a value against its threshold; no series and NaN are unknown; errors are errors', () => {
    assert.equal(judgeReading(CPU, values(42)).state, 'ok');
    assert.equal(judgeReading(CPU, values(42, 95)).state, 'bad');
    assert.equal(judgeReading(CPU, { kind: 'no-series' }).state, 'unknown');
    assert.equal(judgeReading(CPU, values(Number.NaN)).state, 'unknown');
    assert.equal(judgeReading(CPU, { kind: 'error', reason: 'refused' }).state, 'error');
  });

  it('picks the primary when it is healthy', () => {
    const decision = decideRunner(
      [candidate('primary', [values(1), values(10)]), candidate('secondary', [values(1), values(10)])],
      'fail',
    );
    assert.equal(decision.runner, 'primary');
    assert.deepEqual(decision.labels, ['self-hosted', 'primary']);
  });

  it('fails over to the secondary when the primary is offline, busy or unknown, saying why', () => {
    for (const primary of [
      candidate('primary', [values(0), values(10)]),
      candidate('primary', [values(1), values(97)]),
      candidate('primary', [{ kind: 'no-series' }, values(10)]),
    ]) {
      const decision = decideRunner([primary, candidate('secondary', [values(1), values(10)])], 'fail');
      assert.equal(decision.runner, 'secondary');
      assert.match(decision.reason, /^secondary is healthy; skipped primary unhealthy \(/);
    }
  });

  it('fails closed when nothing is proven healthy', () => {
    const decision = decideRunner(
      [
        candidate('primary', [values(0), values(10)]),
        candidate('secondary', [{ kind: 'no-series' }, values(10)]),
      ],
      'fail',
    );
    assert.equal(decision.runner, undefined);
    assert.match(
      decision.reason,
      /^no healthy runner: primary unhealthy \(online 0 is not == 1\); secondary unhealthy \(online: no series \(unknown\)\)$/,
    );
  });

  it('with the metrics unreadable: fails closed, or picks the first unreadable candidate when allowed', () => {
    const down: Reading = { kind: 'error', reason: 'prometheus:9090: connection refused' };
    const verdicts = [candidate('primary', [down, down]), candidate('secondary', [down, down])];
    assert.equal(decideRunner(verdicts, 'fail').runner, undefined);
    const allowed = decideRunner(verdicts, 'allow');
    assert.equal(allowed.runner, 'primary');
    assert.equal(allowed.allowedBlind, true);
  });

  it('prefers a proven healthy candidate over an allowed blind one', () => {
    const down: Reading = { kind: 'error', reason: 'refused' };
    const decision = decideRunner(
      [candidate('primary', [down, down]), candidate('secondary', [values(1), values(5)])],
      'allow',
    );
    assert.equal(decision.runner, 'secondary');
    assert.equal(decision.allowedBlind, false);
  });
});
