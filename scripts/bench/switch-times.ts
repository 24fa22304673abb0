import { startHaproxy } from '../../__tests__/fixtures/haproxy.ts';
import { startNginx } from '../../__tests__/fixtures/nginx.ts';
import { slotServer } from '../../__tests__/fixtures/proxied.ts';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { systemClock } from '../../src/clients/system-clock.ts';
import { haproxySwitch } from '../../src/traffic/haproxy-switch.ts';
import { nginxSwitch } from '../../src/traffic/nginx-switch.ts';
import type { TrafficSwitch } from '../../src/traffic/traffic-switch.ts';
import { median } from './measure.ts';

/** Median ms of `rounds` switches back and forth (each confirmed by the switch itself). */
async function timeSwitches(traffic: TrafficSwitch, rounds: number): Promise<number> {
  const times: number[] = [];
  const signal = new AbortController().signal;
  for (let i = 0; i < rounds; i++) {
    const [to, from] = i % 2 === 0 ? ['green', 'blue'] : ['blue', 'green'];
    const started = performance.now();
    await traffic.switchTo(to!, from, signal);
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * How long a switch takes, as deploy-actions does it, with two idle slots: HAProxy's runtime
 * API (ready + drain, sessions checked, maint) and nginx (file, nginx -t, graceful reload, new
 * workers confirmed). A switch back in a rollback is the same operation.
 */
export async function switchTimes(rounds = 11): Promise<{ haproxy: number; nginx: number }> {
  const blue = await slotServer('blue');
  const green = await slotServer('green');
  const slots = [
    { name: 'blue', host: '127.0.0.1', port: blue.port },
    { name: 'green', host: '127.0.0.1', port: green.port },
  ];
  const haproxy = await startHaproxy({ blue: blue.port, green: green.port }, 'blue');
  const nginx = await startNginx({ name: 'blue', port: blue.port });
  try {
    return {
      haproxy: await timeSwitches(
        haproxySwitch({
          socket: haproxy.socket,
          backend: haproxy.backend,
          slots,
          drainTimeoutMs: 5000,
          clock: systemClock,
        }),
        rounds,
      ),
      nginx: await timeSwitches(
        nginxSwitch({
          upstreamFile: nginx.upstreamFile,
          testCommand: nginx.testCommand,
          reloadCommand: nginx.reloadCommand,
          pidFile: nginx.pidFile,
          slots,
          drainTimeoutMs: 5000,
          runner: new ProcessRunner({ baseEnv: process.env }),
          clock: systemClock,
        }),
        rounds,
      ),
    };
  } finally {
    await haproxy.close();
    await nginx.close();
    blue.close();
    green.close();
  }
}
