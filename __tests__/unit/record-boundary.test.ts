import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvironmentState, IssueTracker } from '../../src/ports.ts';
import { RecordBoundary } from '../../src/record-boundary.ts';
import { Redactor } from '../../src/redactor.ts';
import { MemoryStore } from '../fixtures/memory-release.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';

const SECRET = 'sk_live_0123456789abcdef';

function boundary() {
  const redactor = new Redactor(recordingLogger().logger);
  redactor.add(SECRET);
  return new RecordBoundary(redactor);
}

describe('the record boundary: one place where what is kept or sent loses secrets and command output', () => {
  it('a state written through it keeps no secret, no credential shape, and no quoted output in reasons', async () => {
    const store = new MemoryStore();
    const state: EnvironmentState = {
      environment: 'production',
      current: 'v1',
      releases: [
        {
          version: 'v1',
          status: 'failed',
          startedAt: '2026-11-25T10:00:00.000Z',
          actor: `deployer ${SECRET}`,
          reason: `the deploy command exited 1: connecting with password=hunter2 and ${SECRET}`,
        },
      ],
    };
    const session = await boundary()
      .backend(store)
      .begin('production', { pid: 1, host: 'h' }, { timeoutMs: 1, plan: { kind: 'deploy' } });
    await session.write(state);
    const written = JSON.stringify(store.state);
    assert.doesNotMatch(written, new RegExp(SECRET));
    assert.doesNotMatch(written, /hunter2/);
    assert.equal(store.state.releases[0]?.reason, 'the deploy command exited 1');
  });

  it('audit entries and incident texts pass through it too', async () => {
    const entries: unknown[] = [];
    await boundary()
      .audit({ append: async (e) => void entries.push(e) })
      .append({ url: `https://x:${SECRET}@h/` });
    assert.doesNotMatch(JSON.stringify(entries), new RegExp(SECRET));
    const sent: string[] = [];
    const tracker: IssueTracker = {
      findOpenIncident: async () => undefined,
      openIncident: async (_e, title, body) => {
        sent.push(title, body);
        return { number: 1, url: 'u' };
      },
      comment: async (_i, body) => void sent.push(body),
      close: async (_i, body) => void sent.push(body),
    };
    const guarded = boundary().tracker(tracker);
    await guarded.openIncident('production', `v1 ${SECRET}`, `token: Bearer abcdefghijklmnop ${SECRET}`, []);
    await guarded.comment({ number: 1, url: 'u' }, SECRET);
    assert.doesNotMatch(sent.join('\n'), new RegExp(SECRET));
    assert.doesNotMatch(sent.join('\n'), /abcdefghijklmnop/);
  });
});
