import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../harness/action-metadata.ts';

/** The README's first command, as a new user runs it: v1 healthy, v2 broken, rolled back, incident written. */
describe('npm run demo', () => {
  it('deploys v1, catches the broken v2, rolls back to v1, writes the incident and prints the timeline', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.ts')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

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
