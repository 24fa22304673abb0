import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runNode } from '../fixtures/run-cli.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

/** The README's first command, as a new user runs it: v1 healthy, v2 broken, rolled back, incident written; then what users feel, in place and blue-green. */
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
    // Part two, through a real HAProxy (CI installs it): what users feel, in place and blue-green.
    assert.match(
      output,
      /v1\.1\.0 +good +in place: \d+ of \d+ failed \(deployed\) +blue-green: 0 of \d+ failed \(deployed\)/,
    );
    assert.match(
      output,
      /v2\.0\.0 +broken +in place: \d+ of \d+ failed \(rolled-back\) +blue-green: 0 of \d+ failed \(failed\)/,
    );
    assert.match(output, /✅ demo passed/);
  });
});
