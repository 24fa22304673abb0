import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clients/system-clock.ts';
import { runCheck } from '../../src/preflight/run-check.ts';
import { parsePreflightSettings } from '../../src/settings/preflight.ts';
import { type HaproxySwitchOptions, haproxySwitch } from '../../src/traffic/haproxy-switch.ts';
import { type Haproxy, startHaproxy } from '../fixtures/haproxy.ts';
import { getFresh, slotServer } from '../fixtures/proxied.ts';

describe('the HAProxy traffic switch (real HAProxy, runtime API on its socket)', () => {
  let haproxy: Haproxy;
  let slots: { blue: Awaited<ReturnType<typeof slotServer>>; green: Awaited<ReturnType<typeof slotServer>> };
  before(async () => {
    slots = { blue: await slotServer('blue'), green: await slotServer('green') };
    haproxy = await startHaproxy({ blue: slots.blue.port, green: slots.green.port }, 'blue');
  });
  after(async () => {
    await haproxy.close();
    slots.blue.close();
    slots.green.close();
  });
  const traffic = (options: Partial<HaproxySwitchOptions> = {}) =>
    haproxySwitch({
      socket: haproxy.socket,
      backend: 'app',
      slots: [
        { name: 'blue', host: '127.0.0.1', port: slots.blue.port },
        { name: 'green', host: '127.0.0.1', port: slots.green.port },
      ],
      drainTimeoutMs: 2000,
      clock: systemClock,
      ...options,
    });

  it('reads the live slot back from HAProxy, switches, and users reach the new slot only', async () => {
    assert.deepEqual(await traffic().live(), ['blue']);
    assert.equal(await getFresh(haproxy.url), 'blue');

    await traffic().switchTo('green', 'blue', new AbortController().signal);

    assert.deepEqual(await traffic().live(), ['green']);
    for (let i = 0; i < 5; i++) assert.equal(await getFresh(haproxy.url), 'green');
    await traffic().switchTo('blue', 'green', new AbortController().signal);
    assert.deepEqual(await traffic().live(), ['blue']);
  });

  it('a cancel during the drain: the wait ends, traffic stays on the new slot only, the old one finishes its request', async () => {
    const events: string[] = [];
    assert.deepEqual(await traffic().live(), ['blue']);
    const slow = getFresh(`${haproxy.url}/slow`).then((body) =>
      events.push(`slow request answered by ${body}`),
    );
    await new Promise((r) => setTimeout(r, 10));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the slow request is in blue's hands
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 200);

    await traffic({ drainTimeoutMs: 30_000 }).switchTo('green', 'blue', cancel.signal);
    events.push('switch returned');

    assert.deepEqual(await traffic().live(), ['green'], 'one slot live, never both, never none');
    assert.equal(await getFresh(haproxy.url), 'green');
    await slow;
    assert.deepEqual(events, ['switch returned', 'slow request answered by blue'], 'drained, not cut');
    await traffic().switchTo('blue', 'green', new AbortController().signal);
  });

  it('a slot the backend does not have, or a backend HAProxy does not know, is an error that says so', async () => {
    const wrong = traffic({
      slots: [
        { name: 'blue', host: '127.0.0.1', port: slots.blue.port },
        { name: 'purple', host: '127.0.0.1', port: 1 },
      ],
    });
    await assert.rejects(
      wrong.live(),
      /HAProxy's backend app \(haproxy-backend\) has no server named purple \(it has blue, green\): name a server after each of the slots/,
    );
    const noBackend = traffic({ backend: 'shop' });
    await assert.rejects(noBackend.live(), /HAProxy refused "show servers state shop"|has no server named/);
  });

  it('the runtime API at an IPv6 address in brackets ([::1]:port): read and switched as over a unix socket', async () => {
    const onIpv6 = await startHaproxy({ blue: slots.blue.port, green: slots.green.port }, 'blue', {
      runtimeApiOnIpv6: true,
    });
    try {
      assert.match(onIpv6.socket, /^\[::1\]:\d+$/);
      const overIpv6 = traffic({ socket: onIpv6.socket, drainTimeoutMs: 100 });
      assert.deepEqual(await overIpv6.live(), ['blue']);
      await overIpv6.switchTo('green', 'blue', new AbortController().signal);
      assert.deepEqual(await overIpv6.live(), ['green']);
    } finally {
      await onIpv6.close();
    }
  });

  it('an unreachable socket names it', async () => {
    const gone = traffic({ socket: '/nonexistent/admin.sock' });
    await assert.rejects(
      gone.live(),
      /cannot reach HAProxy's runtime API at \/nonexistent\/admin\.sock \(haproxy-socket\)/,
    );
  });

  it('preflight: the runtime API answers and the backend has every slot; a missing slot is named with the fix', async () => {
    const check = (servers: string) =>
      parsePreflightSettings({
        checks: `- { type: haproxy, socket: "${haproxy.socket}", backend: app, servers: ${servers} }`,
      }).checks[0]!;
    const deps = {
      runner: undefined as never,
      readState: undefined as never,
      readEnv: () => undefined,
      mask: () => {},
    };
    const ok = await runCheck(check('[blue, green]'), deps, new AbortController().signal);
    assert.equal(ok.ok, true, ok.detail);
    assert.match(ok.detail, /^HAProxy 2\.\d+\S* answers on .*; backend app has blue, green$/);
    const missing = await runCheck(check('[blue, purple]'), deps, new AbortController().signal);
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /backend app has no server purple \(it has blue, green\)/);
    assert.equal(missing.fix, 'add a server per slot, named like it, to backend app');
  });
});
