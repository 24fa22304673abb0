import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../fixtures/run-cli.ts';

/** Inputs an adversary would write: versions that climb out of directories or carry shell text. */
describe('hostile inputs: versions are never paths, values are never shell text', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostile-'));
  const releases = (version: string, artifact: string, extra: string[] = []) =>
    runCli([
      'deploy',
      '--environment',
      'production',
      '--driver',
      'releases',
      '--releases-dir',
      path.join(dir, 'app'),
      '--artifact',
      artifact,
      '--state-dir',
      path.join(dir, 'state'),
      '--attempts',
      '1',
      '--version',
      version,
      ...extra,
    ]);

  it('a digest-shaped version that climbs out of releases-dir is refused before anything is written', async () => {
    const evil = `../../escaped/evil@sha256:${'a'.repeat(64)}`;
    const run = await releases(evil, path.join(dir, 'artifact'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error: --version: "\.\.\/\.\.\/escaped\/evil@sha256:a+" is not a version/);
    assert.equal(existsSync(path.join(dir, 'escaped')), false);
    assert.equal(existsSync(path.join(dir, 'app')), false);
  });

  it('shell text in a version is refused even with require-immutable off', async () => {
    const run = await releases("v1';touch pwned;'", path.join(dir, 'artifact'), ['--no-require-immutable']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error: --version: ".*" is not a version: use letters, digits/);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('pwned')),
      [],
    );
  });

  it('an artifact path with quotes and $( ) is handed to tar as one argument, never to a shell', async () => {
    const odd = path.join(dir, "it's $(touch pwned-by-artifact)");
    mkdirSync(path.join(odd, 'src'), { recursive: true });
    writeFileSync(path.join(odd, 'src', 'server.mjs'), '// a release\n');
    execFileSync('tar', ['-czf', path.join(odd, 'v1.0.0.tar.gz'), '-C', path.join(odd, 'src'), '.']);
    const run = await releases('v1.0.0', path.join(odd, '{version}.tar.gz'));
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(path.join(dir, 'app', 'releases', 'v1.0.0', 'server.mjs')));
    assert.equal(existsSync(path.join(process.cwd(), 'pwned-by-artifact')), false);
    assert.equal(existsSync(path.join(dir, 'pwned-by-artifact')), false);
  });

  it("preflight's not-bad check takes an environment name, not a path out of state-dir", async () => {
    const run = await runCli([
      'preflight',
      '--state-dir',
      path.join(dir, 'state'),
      '--checks=- { type: not-bad, environment: ../elsewhere/x, version: v1 }',
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error: --checks: .*environment.*is not an environment name/);
  });

  it('a hook is held to attempt-timeout: a sleeping pre-deploy hook is stopped, nothing deployed', async () => {
    const run = await runCli([
      'deploy',
      '--environment',
      'hooked',
      '--version',
      'v1.0.0',
      '--state-dir',
      path.join(dir, 'state-hooked'),
      '--command',
      'true',
      '--attempt-timeout',
      '1s',
      '--pre-deploy',
      'sleep 30',
    ]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /the pre-deploy hook timed out after 1\.0 s \(process tree killed\)\. Nothing was changed/,
    );
  });

  it('a YAML alias bomb and a token with a line break are bad input naming the input (exit 2), not an outage', async () => {
    const bomb = path.join(dir, 'bomb.yml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ])
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    writeFileSync(bomb, `${levels.join('\n')}\n`);
    const probes = await runCli(['health-check', '--probes-file', bomb]);
    assert.equal(probes.code, 2);
    assert.match(probes.stderr, /error: --probes-file: not usable YAML: Excessive alias count/);
    const token = await runCli(['incident', '--environment', 'production'], {
      GITHUB_TOKEN: 'ghs_abc\ndef',
      GITHUB_REPOSITORY: 'acme/shop',
    });
    assert.equal(token.code, 2);
    assert.match(
      token.stderr,
      /error: --github-token: has a space, a line break or a character a token cannot have/,
    );
  });

  it('a probes file that is a FIFO, or a device without end, is bad input naming the input, at once', async () => {
    const fifo = path.join(dir, 'probes.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const file of [fifo, '/dev/zero']) {
      const run = await runCli(['health-check', '--probes-file', file]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--probes-file: cannot read ".*": it is not a regular file/);
    }
  });
});
