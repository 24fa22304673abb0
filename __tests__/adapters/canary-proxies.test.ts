import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, SERVICE, START_SLOT } from '../fixtures/blue-green-site.ts';
import { canaryAnalysis } from '../fixtures/canary-analysis.ts';
import { startLoad } from '../fixtures/load.ts';
import { type Nginx, startNginx } from '../fixtures/nginx.ts';
import { type PrometheusServer, startPrometheus } from '../fixtures/prometheus.ts';
import { freePort } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

/** A proxy in front of the two slots: how deploy-actions splits traffic there, and how a person reads it. */
interface Proxy {
  readonly inputs: Readonly<Record<string, string>>;
  /** The split as the proxy's own file says it, for the test to see mid-canary. */
  readonly read: () => string;
}

const PROXIES: Record<string, (nginx: Nginx, slots: { blue: number; green: number }) => Proxy> = {
  'a real nginx (weighted server lines, tested, reloaded)': (nginx) => ({
    inputs: {
      traffic: 'nginx',
      'nginx-upstream-file': nginx.upstreamFile,
      'nginx-test-command': nginx.testCommand,
      'nginx-reload-command': nginx.reloadCommand,
      'nginx-pid-file': nginx.pidFile,
    },
    read: () => readFileSync(nginx.upstreamFile, 'utf8'),
  }),
  'a switch-command given DEPLOY_WEIGHT (a script driving a real nginx)': (nginx, slots) => {
    const file = nginx.upstreamFile;
    const line = (slot: string, weight: string) =>
      `server 127.0.0.1:$(port ${slot}) weight=${weight};  # deploy-actions slot ${slot}`;
    const script = [
      `port() { if [ "$1" = blue ]; then echo ${slots.blue}; else echo ${slots.green}; fi; }`,
      // Asked what serves: each slot with its share, as slot=percent.
      `if [ -z "$DEPLOY_SLOT" ]; then awk '/# deploy-actions slot/ { w = 100; if (match($0, /weight=[0-9]+/)) w = substr($0, RSTART + 7, RLENGTH - 7); printf "%s%s=%s", sep, $NF, w; sep = " " } END { print "" }' ${file}; exit 0; fi`,
      'if [ -z "$DEPLOY_WEIGHT" ] || [ "$DEPLOY_WEIGHT" = 100 ]; then',
      `  echo "server $DEPLOY_SLOT_ADDRESS;  # deploy-actions slot $DEPLOY_SLOT" > ${file}.new`,
      'elif [ "$DEPLOY_WEIGHT" = 0 ]; then',
      `  echo "${line('$DEPLOY_PREVIOUS_SLOT', '100')}" > ${file}.new`,
      'else',
      `  { echo "${line('$DEPLOY_PREVIOUS_SLOT', '$((100 - DEPLOY_WEIGHT))')}"; echo "${line('$DEPLOY_SLOT', '$DEPLOY_WEIGHT')}"; } > ${file}.new`,
      'fi',
      `mv ${file}.new ${file} && ${nginx.testCommand} && ${nginx.reloadCommand} && sleep 0.3`,
    ].join('\n');
    return {
      inputs: { traffic: 'command', 'switch-command': script },
      read: () => readFileSync(file, 'utf8'),
    };
  },
};

/**
 * A canary behind nginx and behind a switch-command: the same steps, judged by the
 * application's own metrics (requests by version, scraped every second by a real Prometheus),
 * since only HAProxy exports per-server metrics of its own.
 */
for (const [proxyName, proxyOf] of Object.entries(PROXIES))
  describe(`deploy action, strategy canary behind ${proxyName}`, () => {
    let dir: string;
    let slots: { blue: number; green: number };
    let nginx: Nginx;
    let proxy: Proxy;
    let prometheus: PrometheusServer;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'canary-proxy-'));
      slots = { blue: await freePort(), green: await freePort() };
      nginx = await startNginx({ name: 'blue', port: slots.blue });
      proxy = proxyOf(nginx, slots);
      prometheus = await startPrometheus([
        `http://127.0.0.1:${slots.blue}/metrics`,
        `http://127.0.0.1:${slots.green}/metrics`,
      ]);
      assert.equal((await deploy('v1.0.0')).outputs.result, 'deployed');
    });
    after(async () => {
      await prometheus?.close();
      await nginx?.close();
      for (const slot of ['blue', 'green'])
        try {
          process.kill(Number(readFileSync(path.join(dir, `${slot}.pid`), 'utf8')));
        } catch {
          // not started, or stopped
        }
    });

    const deploy = (version: string, onLine?: (line: string) => void) =>
      runStep('deploy', {
        with: {
          environment: 'production',
          command: START_SLOT,
          strategy: 'canary',
          slots: `{ blue: "127.0.0.1:${slots.blue}", green: "127.0.0.1:${slots.green}" }`,
          ...proxy.inputs,
          'drain-timeout': '2s',
          'verify-probes':
            '- { name: slot, type: http, url: "{slot_url}/api/health", count: 2, interval: 100ms }',
          'version-url': '{slot_url}/version',
          'state-dir': path.join(dir, 'state'),
          attempts: '1',
          'canary-steps': '[{set-weight: 20}, {pause: 3s}, {set-weight: 50}, {pause: 3s}]',
          'canary-analysis': canaryAnalysis(prometheus.url, '[{ template: app-error-ratio, max: 5% }]'),
          version,
        },
        env: { SLOTS_DIR: dir, SERVICE },
        hardTimeoutMs: 90_000,
        ...(onLine ? { onLine } : {}),
      });
    const state = () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
    const live = async () => (await getJson(`${nginx.url}/version`)).version;

    it('a healthy canary: the split written and served at each weight, 0 failed requests, then all traffic on it', async () => {
      const splits: string[] = [];
      const users = startLoad(`${nginx.url}/`, 4, 5);
      const step = await deploy('v2.0.0', (line) => {
        if (/Step \d: the canary gets/.test(line)) splits.push(proxy.read());
      });
      const load = await users.stop();
      assert.equal(step.outputs.result, 'deployed', step.log);
      assert.equal(
        load.failed,
        0,
        `failed: ${load.failed} of ${load.ok + load.failed}: ${load.samples.join('; ')}`,
      );
      // v1.0.0 went into green, the first release: the canary runs in blue.
      assert.match(
        splits[0]!,
        /weight=80;\s+# deploy-actions slot green\n.*weight=20;\s+# deploy-actions slot blue/,
      );
      assert.match(
        splits[1]!,
        /weight=50;\s+# deploy-actions slot green\n.*weight=50;\s+# deploy-actions slot blue/,
      );
      assert.equal(proxy.read(), `server 127.0.0.1:${slots.blue};  # deploy-actions slot blue\n`);
      assert.equal(await live(), 'v2.0.0');
    });

    it('a canary failing 20 % of requests: aborted on its own metrics, the stable line alone again', async () => {
      writeFileSync(path.join(dir, 'fails-v3.0.0'), '0.2');
      const users = startLoad(`${nginx.url}/`, 4, 5);
      const step = await deploy('v3.0.0');
      await users.stop();
      assert.equal(step.outputs.result, 'failed', step.log);
      assert.match(
        JSON.parse(step.outputs.report!).message,
        /app-error-ratio max: canary \d+(\.\d+)? % > max 5 %/,
      );
      assert.equal(proxy.read(), `server 127.0.0.1:${slots.blue};  # deploy-actions slot blue\n`);
      assert.equal(await live(), 'v2.0.0');
      assert.equal(state().releases.at(-1).status, 'bad');
    });
  });
