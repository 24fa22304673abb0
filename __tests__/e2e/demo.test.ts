import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runNode } from '../fixtures/run-cli.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

/** The README's first command, as a new user runs it: v1 healthy, v2 broken, rolled back, incident written. */
describe('npm run demo', () => {
  it('deploys v1, catches the broken v2, rolls back to v1, writes the incident and prints the timeline', async () => {
    const { code, stdout, stderr } = await runNode([path.join(REPO_ROOT, 'scripts', 'demo.ts')]);
    const output = `${stdout}${stderr}`;

    assert.equal(code, 0, output);
    assert.match(output, /▶ v1\.0\.0: deployed \(exit 0\)/);
    assert.match(output, /▶ v2\.0\.0: rolled-back; production serves v1\.0\.0/);
    assert.match(output, /Bad release → healthy old release, verified: \d+\.\d\d s \(goal ≤ 10 s\)/);
    assert.match(
      output,
      /## 🚨 Deploy incident: production v2\.0\.0 failed at deploy, rolled back to v1\.0\.0/,
    );
    assert.match(output, /❌ Health check failed/, 'the incident carries the health report');
    assert.match(output, /✅ demo passed/);
  });
});
