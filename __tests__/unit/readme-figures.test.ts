import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const section = (name: string) =>
  new RegExp(`<!-- generated:${name} -->\\n([\\s\\S]*?)<!-- /generated:${name} -->`).exec(readme)?.[1] ?? '';

describe("the README's figures come from npm run bench, never typed by hand", () => {
  it('the benchmark table, as the bench writes it, with when and where it ran', () => {
    const bench = section('bench');
    assert.match(bench, /^```text\nbenchmark +A: wall \/ cpu +B: wall \/ cpu +A\/B: wall \/ cpu +goal\n-+ /);
    assert.match(
      bench,
      /^a good blue-green release with the defaults \(deploy action, HAProxy\) +\d+\.\d+ s/m,
    );
    assert.match(bench, /^failed user requests, good release: in place \/ blue-green +\d+\/\d+ +0\/\d+/m);
    assert.match(bench, /Written by `npm run bench` on 20\d\d-\d\d-\d\d, \d+ CPUs \(.+\), Node 24\./);
  });
  it("the demo's users, in place and blue-green, and its recovery time", () => {
    const demo = section('bench-demo');
    assert.match(demo, /^```text\nFailed user requests per release\n/);
    assert.match(demo, /v1\.1\.0 +good +in place: \d+ of \d+ failed .* blue-green: 0 of \d+ failed/);
    assert.match(demo, /Bad release → healthy old release, verified: \d+\.\d+ s/);
  });
});
