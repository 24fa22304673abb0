import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { haproxySite, START_SLOT } from '../fixtures/blue-green-site.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { runStep } from '../harness/run-action.ts';

describe('deploy-actions status says what runs where, and what it read', () => {
  it('blue-green: each slot with its version, live or warm, verified or not; and the state-dir it read', async () => {
    const site = await haproxySite('status-slots');
    const stateDir = path.join(site.dir, 'state');
    const inputs = {
      environment: 'production',
      ...site.target,
      command: START_SLOT,
      'version-url': '{slot_url}/version',
      'state-dir': stateDir,
      attempts: '1',
    };
    try {
      for (const version of ['v1.0.0', 'v2.0.0'])
        assert.equal(
          (await runStep('deploy', { with: { ...inputs, version }, env: site.env })).outputs.result,
          'deployed',
        );
      const status = await runCli(['status', '--environment=production', `--state-dir=${stateDir}`]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(
        status.stdout,
        new RegExp(`^read from: state-dir ${stateDir.replace(/[.]/g, '\\.')}$`, 'm'),
      );
      assert.match(status.stdout, /^slot green: v1\.0\.0 warm, verified$/m);
      assert.match(status.stdout, /^slot blue: v2\.0\.0 live, verified$/m);
    } finally {
      await site.close();
    }
  });

  it('a mistyped state-dir: "nothing deployed yet" names the directory it read', async () => {
    const typo = path.join(mkdtempSync(path.join(tmpdir(), 'status-typo-')), 'stat-dir');
    const status = await runCli(['status', '--environment=production', `--state-dir=${typo}`]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(`^production: nothing deployed yet \\(no record in state-dir ${typo}\\)$`, 'm'),
    );
  });
});
