import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLogged } from '../../src/deploy/driver.ts';
import { scriptedRunner } from '../fixtures/memory-release.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';

describe("a command's output in the log", () => {
  it('one 50 MB line arrives in 64 KiB chunks and is logged in bounded pieces, never held whole', async () => {
    // Held whole, such a line was concatenated chunk by chunk: 610 MiB and 82 s for one deploy.
    const { logger, lines } = recordingLogger();
    const chunk = 'x'.repeat(64 * 1024);
    const runner = scriptedRunner((request) => {
      for (let sent = 0; sent < 50 * 1024 * 1024; sent += chunk.length) request.onOutput?.(chunk, 'stdout');
      request.onOutput?.('\nshort line\n', 'stdout');
      return {};
    });
    await runLogged(runner, logger, 'the deploy command', { command: 'yes x | head -c 50M' });
    const logged = lines.filter((l) => l.startsWith('untrusted '));
    assert.ok(logged.length > 100, 'the line came out in pieces');
    assert.ok(Math.max(...logged.map((l) => l.length)) < 17 * 1024, 'no piece is longer than 16 KiB');
    assert.equal(logged.at(-1), 'untrusted short line');
  });
});
