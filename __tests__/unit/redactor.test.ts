import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor } from '../../src/redactor.ts';

describe('Redactor', () => {
  it('masks each line of a multi-line secret with the logger, once each', () => {
    const masked: string[] = [];
    const redactor = new Redactor({ mask: (s) => masked.push(s) });
    redactor.add('line-one-secret\nline-two-secret');
    redactor.add('line-one-secret');
    assert.deepEqual(masked, ['line-one-secret\nline-two-secret', 'line-one-secret', 'line-two-secret']);
  });

  it('redacts text and nested data, keys included; longest secret first so no tail leaks', () => {
    const redactor = new Redactor({ mask: () => {} });
    redactor.add('abc123');
    redactor.add('abc123-extended');
    assert.equal(redactor.redact('x abc123-extended y abc123 z'), 'x *** y *** z');
    assert.deepEqual(redactor.redactValue({ list: ['abc123'], abc123: 1, n: 5, ok: true, none: null }), {
      list: ['***'],
      '***': 1,
      n: 5,
      ok: true,
      none: null,
    });
  });

  it('ignores values too short to mask usefully', () => {
    const redactor = new Redactor({ mask: () => assert.fail('should not mask') });
    redactor.add('ab');
    assert.equal(redactor.redact('ab'), 'ab');
  });
});
