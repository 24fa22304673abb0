import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pMap from 'p-map';
import { startRegistry } from '../../__tests__/fixtures/registry.ts';
import { median, run } from './measure.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(root, 'dist', 'cli', 'index.js');
const DAY = 86_400_000;

export interface RegistryFigures {
  readonly tags: number;
  /** A dry run of registry-retention over every tag: wall time and the requests it made. */
  readonly retentionMs: number;
  readonly retentionRequests: number;
  readonly wouldRemove: number;
  /** The floor in the same run: the tag list and one HEAD per tag, nothing else. */
  readonly floorRequests: number;
  /** promote-image testing → prod of a verified digest (record read, manifest put, read back). */
  readonly promoteMs: number;
  readonly bareMs: number;
}

/**
 * A registry of 1,000 tags as a team's looks after a year (600 stale sha- tags, 300 release
 * candidates of many ages, 100 releases), a dry run of registry-retention over it through the CLI,
 * and promote-image of a digest a real deploy verified, timed against a bare node start.
 */
export async function registryFigures(): Promise<RegistryFigures> {
  const registry = await startRegistry();
  try {
    const layer = await registry.admin.pushBlob('shop', Buffer.from('one shared layer'));
    const tags = [
      ...Array.from(
        { length: 600 },
        (_, i) => [`sha-${i.toString(16).padStart(7, '0')}`, 400 - (i % 400)] as const,
      ),
      ...Array.from({ length: 300 }, (_, i) => [`v1.${Math.floor(i / 10)}.0-rc.${i % 10}`, 300 - i] as const),
      ...Array.from({ length: 100 }, (_, i) => [`v0.${i}.0`, 500 - i] as const),
    ];
    await pMap(
      tags,
      async ([tag, ageDays]) => {
        const config = Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            created: new Date(Date.now() - ageDays * DAY).toISOString(),
            tag,
          }),
        );
        const configDigest = await registry.admin.pushBlob('shop', config);
        const mediaType = 'application/vnd.oci.image.manifest.v1+json';
        const manifest = {
          schemaVersion: 2,
          mediaType,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: configDigest,
            size: config.length,
          },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 16 }],
        };
        await registry.admin.putManifest('shop', tag, Buffer.from(JSON.stringify(manifest)), mediaType);
      },
      { concurrency: 8 },
    );
    const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'bench-registry-')), 'state');
    const cli = (args: readonly string[]) => run([process.execPath, CLI, ...args, '--state-dir', stateDir]);
    await cli([
      'deploy',
      '--environment',
      'testing',
      '--image',
      `${registry.host}/shop:v0.99.0`,
      '--command',
      'true',
    ]);
    const retentionArgs = [
      'registry-retention',
      '--repository',
      `${registry.host}/shop`,
      '--environments',
      'testing',
    ];
    const retention: { ms: number; requests: number }[] = [];
    for (let round = 0; round < 3; round += 1) {
      const before = registry.requests.length;
      const dry = await cli(retentionArgs);
      retention.push({ ms: dry.wallMs, requests: registry.requests.length - before });
    }
    // Asynchronously: the registry's front runs in this process, and must answer meanwhile.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, ...retentionArgs, '--state-dir', stateDir, '--json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as { removed: unknown[] };
    const promote: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const to = `prod${round}`;
      promote.push(
        (
          await cli([
            'promote-image',
            '--image',
            `${registry.host}/shop:v0.99.0`,
            '--from',
            'testing',
            '--to',
            to,
          ])
        ).wallMs,
      );
      bare.push((await run([process.execPath, '-e', ''])).wallMs);
    }
    return {
      tags: tags.length,
      retentionMs: median(retention.map((r) => r.ms)),
      retentionRequests: median(retention.map((r) => r.requests)),
      wouldRemove: report.removed.length,
      floorRequests: 1 + tags.length,
      promoteMs: median(promote),
      bareMs: median(bare),
    };
  } finally {
    await registry.close();
  }
}
