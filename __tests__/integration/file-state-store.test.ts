import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileStateStore, StateCorruptError } from '../../src/clients/file-state-store.ts';
import type { EnvironmentState } from '../../src/ports.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'state-'));
const v2: EnvironmentState = {
  environment: 'production',
  current: 'v2',
  previous: 'v1',
  lastDeployTimestamp: '2026-11-24T10:00:00.000Z',
  releases: [
    { version: 'v1', status: 'good', startedAt: '2026-11-23T10:00:00.000Z' },
    { version: 'v2', status: 'good', startedAt: '2026-11-24T09:59:00.000Z', actor: 'octocat', attempts: 1 },
  ],
};

describe('FileStateStore', () => {
  it('reads an environment it has never seen as empty, and round-trips what it wrote', async () => {
    const store = new FileStateStore(scratch());
    assert.deepEqual(await store.read('production'), { environment: 'production', releases: [] });
    await store.write(v2);
    assert.deepEqual(await store.read('production'), v2);
  });

  it('keeps the copy from before the last write, and leaves no temp file', async () => {
    const dir = scratch();
    const store = new FileStateStore(dir);
    await store.write({ ...v2, current: 'v1' });
    await store.write(v2);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'production.json.bak'), 'utf8')).current, 'v1');
    assert.deepEqual(readdirSync(dir).sort(), ['production.json', 'production.json.bak']);
  });

  it('migrates a seed-004 v1 file (flat current/previous) into history', async () => {
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'production.json'),
      JSON.stringify({
        current_version: 'v7',
        previous_version: 'v6',
        last_deploy_timestamp: '2026-11-01T00:00:00Z',
        actor: 'ops',
      }),
    );
    const state = await new FileStateStore(dir).read('production');
    assert.equal(state.current, 'v7');
    assert.equal(state.previous, 'v6');
    assert.deepEqual(
      state.releases.map((r) => [r.version, r.status]),
      [
        ['v6', 'good'],
        ['v7', 'good'],
      ],
    );
  });

  it('refuses a corrupt file with the recovery command, never resetting it', async () => {
    const dir = scratch();
    const store = new FileStateStore(dir);
    await store.write({ ...v2, current: 'v1' });
    await store.write(v2);
    const file = path.join(dir, 'production.json');
    writeFileSync(file, '{"schemaVersion": 2, "environment": "produ');
    await assert.rejects(store.read('production'), (error: Error) => {
      assert.ok(error instanceof StateCorruptError);
      assert.match(
        error.message,
        /cannot be read: it is not valid JSON .*Nothing was changed\. To recover, restore the copy from before the last write: cp '.*production\.json\.bak' '.*production\.json'/,
      );
      return true;
    });
    assert.equal(
      readFileSync(file, 'utf8'),
      '{"schemaVersion": 2, "environment": "produ',
      'the file was left as it was',
    );
  });

  it('refuses a file from a newer version of the tool, and one that belongs to another environment', async () => {
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'production.json'),
      JSON.stringify({ schemaVersion: 9, environment: 'production', releases: [] }),
    );
    // With a backup beside it: restoring it would lose the newest releases, so it is not what to do.
    writeFileSync(
      path.join(dir, 'production.json.bak'),
      JSON.stringify({ schemaVersion: 2, environment: 'production', releases: [] }),
    );
    await assert.rejects(new FileStateStore(dir).read('production'), (error: Error) => {
      assert.match(
        error.message,
        /was written by a newer deploy-actions \(state schema 9; this one reads 2\)/,
      );
      assert.match(error.message, /Use that version of deploy-actions or newer; do not restore the backup/);
      assert.doesNotMatch(error.message, /cp '/, 'no restore hint');
      return true;
    });
    writeFileSync(
      path.join(dir, 'staging.json'),
      JSON.stringify({ schemaVersion: 2, environment: 'production', releases: [] }),
    );
    await assert.rejects(
      new FileStateStore(dir).read('staging'),
      /belongs to environment "production".*mv '/,
    );
  });

  it('fuzz: any truncation or byte flip of a valid file reads as valid state or fails with StateCorruptError', async () => {
    const dir = scratch();
    const store = new FileStateStore(dir);
    await store.write(v2);
    const file = path.join(dir, 'production.json');
    const original = readFileSync(file);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const variants: Buffer[] = [];
    for (let cut = 0; cut < original.length; cut += 3) variants.push(original.subarray(0, cut));
    for (let i = 0; i < 300; i++) {
      const copy = Buffer.from(original);
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--)
        copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      variants.push(copy);
    }
    let readable = 0;
    for (const variant of variants) {
      writeFileSync(file, variant);
      try {
        const state = await store.read('production');
        assert.equal(state.environment, 'production');
        assert.ok(Array.isArray(state.releases));
        readable++;
      } catch (error) {
        assert.ok(
          error instanceof StateCorruptError,
          `a ${(error as Error).name} escaped: ${(error as Error).message}`,
        );
      }
    }
    assert.ok(readable < variants.length, 'the fuzzer produced corrupt files');
  });

  it('crash: kill -9 during a stream of writes always leaves a valid file', async () => {
    const dir = scratch();
    const writer = path.join(REPO_ROOT, '__tests__', 'fixtures', 'state-writer.ts');
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 5 + round * 7));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const state = await new FileStateStore(dir).read('production');
      assert.match(state.current ?? '', /^v\d+$/);
    }
    assert.ok(existsSync(path.join(dir, 'production.json')));
    await new FileStateStore(dir).write({ environment: 'production', current: 'v1', releases: [] });
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.tmp')),
      [],
      'temp files of killed writers are cleared by the next write',
    );
  });

  it('a history past 200 releases keeps the newest 200 and archives each one it drops, once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'history-'));
    const store = new FileStateStore(dir);
    const release = (n: number) => ({
      version: `v${n}`,
      status: 'good' as const,
      startedAt: `2026-11-25T10:00:${String(n % 60).padStart(2, '0')}.${String(n).padStart(3, '0')}Z`,
    });
    const releases = Array.from({ length: 200 }, (_, n) => release(n));
    await store.write({ environment: 'production', current: 'v199', releases });
    // The journal writes the same 203 releases more than once (begun, live, finished).
    const grown = [...releases, release(200), release(201), release(202)];
    for (let i = 0; i < 3; i++)
      await store.write({ environment: 'production', current: 'v202', releases: grown });
    const state = await store.read('production');
    assert.equal(state.releases.length, 200);
    assert.equal(state.releases[0]?.version, 'v3');
    const archive = readFileSync(store.archiveFor('production'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).version);
    assert.deepEqual(archive, ['v0', 'v1', 'v2'], 'each dropped release archived once, oldest first');
  });
});
