import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readShares } from '../../src/traffic/command-switch.ts';
import { readUpstreamFile, splitLines, upstreamLine } from '../../src/traffic/nginx-upstream-file.ts';

const blue = { name: 'blue', host: '127.0.0.1', port: 8081 };
const green = { name: 'green', host: '127.0.0.1', port: 8082 };
const slots = [blue, green];

describe("nginx upstream file: a canary's split as weighted, marked server lines", () => {
  it('writes the split and reads back the shares it says', () => {
    assert.deepEqual(readUpstreamFile(splitLines(green, blue, 20), slots), {
      slots: ['blue', 'green'],
      shares: { blue: 80, green: 20 },
    });
    // nginx has no weight 0: at 0 and 100 one line is left, the one-slot file blue-green writes.
    assert.equal(splitLines(green, blue, 0), upstreamLine(blue));
    assert.equal(splitLines(green, blue, 100), upstreamLine(green));
    assert.deepEqual(readUpstreamFile(upstreamLine(blue), slots), { slots: ['blue'], shares: { blue: 100 } });
  });

  it('a line marked down has no share; weights are relative', () => {
    const text = `server 127.0.0.1:8081 weight=3;  # deploy-actions slot blue\nserver 127.0.0.1:8082 down;  # deploy-actions slot green\n`;
    assert.deepEqual(readUpstreamFile(text, slots), { slots: ['blue'], shares: { blue: 100, green: 0 } });
  });

  it('refuses what does not say which slots serve: a slot twice, an unmarked or misplaced line, more lines than slots', () => {
    const problems: [string, RegExp][] = [
      [upstreamLine(blue, 50) + upstreamLine(blue, 50), /marked with the same slot/],
      [
        upstreamLine(blue) + upstreamLine(green),
        /2 server lines \(lines 1, 2\), not one \(a canary's split gives each slot's line a weight\)/,
      ],
      [
        `${upstreamLine(blue, 90)}server 127.0.0.1:8082 weight=10;\n`,
        /has no "# deploy-actions slot <name>" mark/,
      ],
      [upstreamLine({ ...green, port: 9999 }), /is marked slot green but points at 127\.0\.0\.1:9999/],
      [upstreamLine(blue, 10) + upstreamLine(green, 10) + upstreamLine(green, 10), /3 server lines/],
      [`${upstreamLine(blue)}proxy_pass http://elsewhere;\n`, /line 2 is not a server line/],
    ];
    for (const [text, problem] of problems) {
      const read = readUpstreamFile(text, slots);
      assert.ok('problem' in read && problem.test(read.problem), `${text} → ${JSON.stringify(read)}`);
    }
  });
});

describe("switch-command's read-back: a slot, or a split as slot=percent", () => {
  const names = ['blue', 'green'];
  const cases: [string, Record<string, number> | undefined][] = [
    ['blue\n', { blue: 100 }],
    ['blue=80 green=20', { blue: 80, green: 20 }],
    ['green=100', { green: 100 }],
    ['blue=80 purple=20', undefined],
    ['blue=180', undefined],
    ['blue=eighty', undefined],
    ['$(rm -rf /)', undefined],
    ['', {}],
  ];
  for (const [printed, shares] of cases)
    it(`${JSON.stringify(printed)} → ${JSON.stringify(shares)}`, () =>
      assert.deepEqual(readShares(printed, names), shares));
});
