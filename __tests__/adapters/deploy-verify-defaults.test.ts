import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { getJson, haproxySite } from '../fixtures/blue-green-site.ts';
import { runStep } from '../harness/run-action.ts';

/**
 * A deploy command that returns at once while the service takes `startMs` to listen (systemd's
 * Type=simple, a container still booting): the slot refuses connections meanwhile.
 */
const slowStarter = (startMs: number) =>
  [
    'pidfile="$SLOTS_DIR/$DEPLOY_SLOT.pid"',
    '[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; sleep 0.2',
    `VERSION="$DEPLOY_VERSION" PORT="$DEPLOY_SLOT_PORT" setsid sh -c 'sleep ${startMs / 1000}; exec node "$SERVICE"' > /dev/null 2>&1 < /dev/null &`,
    'echo $! > "$pidfile"',
  ].join('\n');

describe('verify-probes with the deploy defaults (no interval, count or start-timeout given), real HAProxy', () => {
  it('a service that needs 5 s to start is accepted: refused connections while it starts are not counted', async () => {
    const site = await haproxySite('verify-slow-starter');
    try {
      const step = await runStep('deploy', {
        with: {
          environment: 'production',
          ...site.target,
          command: slowStarter(5000),
          'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health" }',
          'version-url': '{slot_url}/version',
          'state-dir': path.join(site.dir, 'state'),
          attempts: '1',
          version: 'v1.0.0',
        },
        env: site.env,
      });
      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.equal((await getJson(`${site.haproxy.url}/version`)).version, 'v1.0.0');
      const starting =
        step.log.match(/\[slot\] #\d+ ⚠ error .*: connection refused.* \(still starting: not counted\)/g) ??
        [];
      assert.ok(starting.length >= 5, `refused while starting, looked at every 500 ms:\n${step.log}`);
      assert.equal((step.log.match(/\[slot\] #\d+ ✓ successful/g) ?? []).length, 3);
    } finally {
      await site.close();
    }
  });

  it('a service that never starts: rejected before traffic, and the reason says it never answered and names start-timeout', async () => {
    const site = await haproxySite('verify-never-starts');
    try {
      const step = await runStep('deploy', {
        with: {
          environment: 'production',
          ...site.target,
          command: 'true',
          'verify-probes': '- { name: slot, type: http, url: "{slot_url}/api/health", start-timeout: 2s }',
          'state-dir': path.join(site.dir, 'state'),
          attempts: '1',
          version: 'v1.0.0',
        },
        env: site.env,
      });
      assert.equal(step.outputs.result, 'failed', step.log);
      assert.match(
        step.log,
        /rejected before traffic: on slot green, .*no answer within start-timeout \(2\.0 s\): raise start-timeout if the service needs longer to start/,
      );
    } finally {
      await site.close();
    }
  });
});
