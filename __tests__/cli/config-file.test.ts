import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../fixtures/run-cli.ts';

describe('CLI: one config file (deploy.yml) for every command, flags over it; progress on long waits', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-config-'));
  const live = path.join(dir, 'live');
  const config = (text: string) => {
    const file = path.join(dir, `deploy-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    return file;
  };
  const base = [
    'environment: staging',
    `command: echo "$DEPLOY_VERSION" > ${live}`,
    `state-dir: ${path.join(dir, 'state')}`,
    'incident: none',
    'health-probes:',
    `  - { name: live, type: command, run: "test -s ${live}" }`,
    'health-count: 2',
    'health-interval: 50ms',
  ].join('\n');

  it('runs the pipeline from the file; a flag overrides a field', async () => {
    const file = config(`${base}\nversion: v1\n`);

    const result = await runCli(['run', '--config', file, '--version', 'v2']);

    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(live, 'utf8').trim(), 'v2');
    assert.match(result.stdout, /✅ health-check/);
  });

  it('a bad value is named with its file, line and field', async () => {
    const file = config(`${base}\nhealth-failure-limit: lots\n`);

    const result = await runCli(['run', '--config', file, '--version', 'v3']);

    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      new RegExp(`${path.basename(file)}:9: field "health-failure-limit": "lots" is not a whole number`),
    );
  });

  it('an unknown field, broken YAML and a missing file are errors with their place', async () => {
    const typo = await runCli(['status', '--config', config('environmnt: staging\n')]);
    const broken = await runCli(['status', '--config', config('environment: [staging\n')]);
    const missing = await runCli(['status', '--config', path.join(dir, 'nope.yml')]);

    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /:1: unknown field "environmnt"/);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /--config: .*:\d+:\d+: not valid YAML/);
    assert.match(missing.stderr, /--config: .*nope\.yml does not exist/);
  });

  it('a long quiet wait prints a progress line every 10 s, so a CI log shows it is alive', async () => {
    const result = await runCli([
      'deploy',
      '--environment',
      'quiet',
      '--version',
      'v1',
      '--command',
      'sleep 11',
      '--state-dir',
      path.join(dir, 'state-quiet'),
    ]);

    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^… deploy: still working \(1\d s\)$/m);
  });
});
