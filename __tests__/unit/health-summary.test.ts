import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withinSummaryLimit } from '../../actions/runtime/run-action.ts';
import type { CheckResult, ProbeResult } from '../../src/health/engine.ts';
import { renderHealthSummary } from '../../src/health/report-markdown.ts';

const probe = (name: string, verdict: ProbeResult['verdict']): ProbeResult => ({
  name,
  type: 'http',
  target: `GET http://127.0.0.1:8080/${name}`,
  verdict,
  reason: verdict === 'successful' ? 'status 200' : 'status 503, expected 2xx',
  measurements: [1, 2, 3].map((index) => ({
    index,
    startedAt: '2026-11-25T10:00:00.000Z',
    latencyMs: 4,
    phase: verdict === 'successful' ? 'successful' : 'failed',
    value: verdict === 'successful' ? 200 : 503,
    reason: verdict === 'successful' ? 'status 200' : 'status 503, expected 2xx',
  })),
});
const check = (probes: ProbeResult[]): CheckResult => ({
  verdict: probes.some((p) => p.verdict === 'failed') ? 'failed' : 'successful',
  startedAt: '2026-11-25T10:00:00.000Z',
  durationMs: 1200,
  probes,
  ...(probes.some((p) => p.verdict === 'failed') ? { decidedBy: 'endpoint-7' } : {}),
});
const rows = (summary: string) =>
  summary
    .split('\n')
    .filter((line) => /^\| endpoint-/.test(line))
    .map((line) => line.split(' | ')[0]!.slice(2));
const details = (summary: string) => (summary.match(/<details>/g) ?? []).length;

describe('the health summary: what needs attention in detail, the rest counted', () => {
  it('a small check: a row and the measurements of every probe', () => {
    const summary = renderHealthSummary(
      check([probe('endpoint-1', 'successful'), probe('endpoint-2', 'failed')]),
    );
    assert.deepEqual(rows(summary), ['endpoint-1', 'endpoint-2']);
    assert.equal(details(summary), 2);
  });

  it('30 probes: a row for each, measurements only for the ones not successful', () => {
    const probes = Array.from({ length: 30 }, (_, i) =>
      probe(`endpoint-${i}`, i === 7 ? 'failed' : 'successful'),
    );
    const summary = renderHealthSummary(check(probes));
    assert.equal(rows(summary).length, 30);
    assert.equal(details(summary), 1);
    assert.match(summary, /<summary>❌ endpoint-7: 3 measurements<\/summary>/);
  });

  it('2,000 probes, 3 failed and 9 stopped: rows and measurements for those 12, the 1,988 others counted', () => {
    const probes = Array.from({ length: 2000 }, (_, i) =>
      probe(`endpoint-${i}`, [7, 700, 1999].includes(i) ? 'failed' : i >= 1990 ? 'stopped' : 'successful'),
    );
    const summary = renderHealthSummary(check(probes));
    assert.deepEqual(rows(summary), [
      'endpoint-7',
      'endpoint-700',
      ...['1990', '1991', '1992', '1993', '1994', '1995', '1996', '1997', '1998'].map((n) => `endpoint-${n}`),
      'endpoint-1999',
    ]);
    assert.equal(details(summary), 12);
    assert.match(summary, /✅ 1988 more probes successful: their measurements are in the `report` output\./);
    assert.ok(Buffer.byteLength(summary) < 32 * 1024, `${Buffer.byteLength(summary)} bytes`);
  });
});

describe("GitHub's 1 MiB limit, the last net under any summary", () => {
  it('2,000 failing probes (each shown in full) are cut at a line before 1 MiB, saying where the rest is', () => {
    const probes = Array.from({ length: 2000 }, (_, i) => probe(`endpoint-${i}`, 'failed'));
    const summary = renderHealthSummary(check(probes));
    assert.ok(Buffer.byteLength(summary) > 1024 * 1024, 'the test needs a summary over the limit');

    const kept = withinSummaryLimit(summary);

    assert.ok(Buffer.byteLength(kept) < 1024 * 1024);
    assert.ok(
      summary.startsWith(kept.slice(0, kept.indexOf('\n\n… The summary is cut here'))),
      'cut at a line',
    );
    assert.match(
      kept,
      /The summary is cut here: GitHub keeps 1 MiB of a step's summary\. The `report` output has everything\.\n$/,
    );
  });
});
