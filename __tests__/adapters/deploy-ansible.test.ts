import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { parsePlayRecap } from '../../src/deploy/drivers/ansible-driver.ts';
import { requireBinary } from '../fixtures/prometheus.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';
import { runStep } from '../harness/run-action.ts';

describe('deploy with the ansible driver: real ansible-playbook against localhost (connection: local)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ansible-'));
  const inputs = {
    environment: 'staging',
    driver: 'ansible',
    playbook: path.join(REPO_ROOT, 'examples', 'ansible', 'deploy.yml'),
    inventory: path.join(REPO_ROOT, 'examples', 'ansible', 'inventory.ini'),
    'extra-vars': JSON.stringify({ deploy_root: path.join(root, 'shop') }),
    'state-dir': path.join(root, 'state'),
    'retry-wait': '50ms',
  };
  const running = () => readFileSync(path.join(root, 'shop', 'VERSION'), 'utf8').trim();
  before(() => requireBinary('ansible-playbook', 'ansible-core'));

  it('deploys and reports the PLAY RECAP in outputs and summary', async () => {
    const step = await runStep('deploy', {
      with: { ...inputs, version: 'v1.0.0', 'version-command': `cat ${path.join(root, 'shop', 'VERSION')}` },
    });
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.equal(running(), 'v1.0.0');
    assert.ok(Number(step.outputs['ansible-changed']) >= 3, `changed=${step.outputs['ansible-changed']}`);
    assert.equal(step.outputs['ansible-failed'], '0');
    assert.equal(step.outputs['ansible-unreachable'], '0');
    assert.match(step.log, /PLAY RECAP/);
    assert.match(step.summary, /\| changed \| [3-9] \|/);
  });

  it('a second run of the same playbook and version changes nothing (idempotent)', async () => {
    const step = await runStep('deploy', { with: { ...inputs, version: 'v1.0.0', force: 'true' } });
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.equal(step.outputs['ansible-changed'], '0');
  });

  it('dry-run runs --check --diff: shows what would change, changes nothing', async () => {
    const step = await runStep('deploy', { with: { ...inputs, version: 'v2.0.0', 'dry-run': 'true' } });
    assert.equal(step.outputs.result, 'dry-run', step.log);
    assert.match(step.log, /--check --diff/);
    assert.ok(Number(step.outputs['ansible-changed']) > 0, 'check mode saw the changes');
    assert.equal(running(), 'v1.0.0', 'nothing changed');
  });

  it('an unreachable host fails the attempt with the recap counts', async () => {
    const step = await runStep('deploy', {
      with: { ...inputs, version: 'v3.0.0', inventory: 'no-such-host.invalid,', attempts: '1' },
    });
    assert.equal(step.outputs.result, 'failed');
    assert.equal(step.outputs['ansible-unreachable'], '1');
    assert.match(
      step.commands.find((c) => c.name === 'error')!.message,
      /ansible-playbook exited 4.*PLAY RECAP: 0 failed, 1 unreachable/,
    );
    assert.equal(running(), 'v1.0.0');
  });
});

describe('PLAY RECAP parsing', () => {
  it('sums every host', () => {
    const output = `PLAY [x] ***\n\nPLAY RECAP *********\nweb1 : ok=5 changed=2 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0\nweb2   : ok=3    changed=0    unreachable=1    failed=1    skipped=0\n`;
    assert.deepEqual(parsePlayRecap(output), { hosts: 2, ok: 8, changed: 2, unreachable: 1, failed: 1 });
    assert.equal(parsePlayRecap('no recap here'), undefined);
  });
});
