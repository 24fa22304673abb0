import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { haproxyCommand, parseServersState } from '../../src/clients/haproxy-runtime.ts';
import { OUT_OF_ROTATION } from '../../src/traffic/haproxy-switch.ts';
import { startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { type Haproxy, startHaproxy } from '../fixtures/haproxy.ts';
import { startLoad } from '../fixtures/load.ts';
import { type Nginx, startNginx } from '../fixtures/nginx.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { startSshd, type TestSshd } from '../fixtures/sshd.ts';
import { startVersionedService } from '../fixtures/versioned-service.ts';
import { runPostStep, runStep, type StepOptions } from '../harness/run-action.ts';

const NAMES = ['web1', 'web2', 'web3', 'web4'] as const;

/**
 * Rolling releases across four hosts behind a real HAProxy, as the runner runs the deploy action:
 * each host a real sshd of its own (own host key and port, key-only) with its own service, users
 * calling HAProxy throughout. A host's deploy restarts its service (every request to it fails
 * meanwhile), so a host that kept traffic during its deploy would fail users.
 */
describe('deploy action, strategy rolling: hosts behind HAProxy, batch by batch', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rolling-'));
  const temp = mkdtempSync(path.join(tmpdir(), 'rolling-temp-'));
  const sshds: TestSshd[] = [];
  const services: { url: string; close(): Promise<void> }[] = [];
  let haproxy: Haproxy;
  let inputs: Record<string, string>;
  before(async () => {
    sshds.push(...(await Promise.all(NAMES.map((name) => startSshd(`rolling-${name}`)))));
    // One deploy key for the fleet, as a team's deploy user has.
    for (const sshd of sshds.slice(1))
      writeFileSync(
        path.join(sshd.dir, 'authorized_keys'),
        readFileSync(path.join(sshds[0]!.dir, 'client_key.pub')),
      );
    services.push(...(await Promise.all(NAMES.map((name) => startVersionedService(path.join(dir, name))))));
    const port = (at: number) => Number(new URL(services[at]!.url).port);
    haproxy = await startHaproxy(Object.fromEntries(NAMES.map((name, at) => [name, port(at)])), '*');
    inputs = {
      environment: 'production',
      strategy: 'rolling',
      'haproxy-socket': haproxy.socket,
      'haproxy-backend': 'app',
      'drain-timeout': '5s',
      'run-on': 'host',
      // The deploy restarts the host's service: down while it restarts, then the new version.
      command: `touch ${dir}/$DEPLOY_HOST.restarting; sleep 0.3; v=$DEPLOY_VERSION; if [ "$DEPLOY_HOST" = web3 ] && [ "$v" != "\${v#*broken-on-web3}" ]; then v=$v-bad; fi; echo "$v" > ${dir}/$DEPLOY_HOST; rm ${dir}/$DEPLOY_HOST.restarting`,
      hosts: NAMES.map(
        (name, at) => `- { name: ${name}, ssh: "${sshds[at]!.ssh}", address: "127.0.0.1:${port(at)}" }`,
      ).join('\n'),
      'known-hosts': sshds.map((sshd) => sshd.knownHosts).join('\n'),
      'ssh-private-key': sshds[0]!.privateKey,
      'verify-probes': '- { name: host, type: http, url: "{host_url}/health", count: 2, interval: 50ms }',
      'state-dir': path.join(dir, 'state'),
      attempts: '1',
    };
  });
  after(async () => {
    await haproxy?.close();
    await Promise.all([...sshds.map((sshd) => sshd.close()), ...services.map((service) => service.close())]);
  });

  const deploy = (version: string, more: Record<string, string> = {}, options: StepOptions = {}) =>
    runStep('deploy', {
      ...options,
      with: { ...inputs, version, ...more },
      env: { TMPDIR: temp },
      hardTimeoutMs: 120_000,
    });
  const running = () => NAMES.map((name) => readFileSync(path.join(dir, name), 'utf8').trim());
  const servers = async () =>
    parseServersState(await haproxyCommand(haproxy.socket, 'show servers state app'), 'app');
  const inRotation = async () =>
    [...(await servers())]
      .filter(([, server]) => (server.adminState & OUT_OF_ROTATION) === 0)
      .map(([name]) => name);
  const recorded = () => JSON.parse(readFileSync(path.join(dir, 'state', 'production.json'), 'utf8'));
  /** HAProxy's servers in rotation, sampled every 50 ms while `work` runs. */
  async function sampled<T>(work: () => Promise<T>): Promise<{ result: T; fewest: number; samples: number }> {
    const counts: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        counts.push((await inRotation()).length);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const result = await work();
    sampling = false;
    await sampler;
    return { result, fewest: Math.min(...counts), samples: counts.length };
  }

  it('the first release: every host gets it, one at a time', async () => {
    const step = await deploy('v1.0.0');
    assert.equal(step.outcome, 'success', step.log);
    assert.deepEqual(running(), ['v1.0.0', 'v1.0.0', 'v1.0.0', 'v1.0.0']);
    assert.match(step.log, /Rolling v1\.0\.0: 4 batches \(web1 \| web2 \| web3 \| web4\)/);
  });

  it('batch-size 1, then 50 %: 0 failed user requests, and min-healthy held in every sample of HAProxy', async () => {
    const summaries: string[] = [];
    for (const [version, batchSize, minHealthy] of [
      ['v2.0.0', '1', '3'],
      ['v2.1.0', '50%', '2'],
    ] as const) {
      const users = startLoad(haproxy.url, 4, 5);
      const {
        result: step,
        fewest,
        samples,
      } = await sampled(() => deploy(version, { 'batch-size': batchSize, 'min-healthy': minHealthy }));
      const load = await users.stop();
      assert.equal(step.outcome, 'success', step.log);
      assert.equal(load.failed, 0, `failed user requests: ${load.samples.join('; ')}`);
      assert.ok(load.ok > 50, `users were served throughout (${load.ok})`);
      assert.ok(samples > 10, `HAProxy was sampled through the release (${samples})`);
      assert.ok(
        fewest >= Number(minHealthy),
        `${fewest} servers in rotation at the lowest, min-healthy ${minHealthy}`,
      );
      assert.ok(fewest < 4, 'hosts did go out of rotation');
      assert.deepEqual(running(), [version, version, version, version]);
      assert.deepEqual(await inRotation(), [...NAMES]);
      const hosts = recorded().hosts;
      for (const name of NAMES)
        assert.deepEqual(
          { ...hosts[name], since: 'x' },
          { version, since: 'x', verified: true, inRotation: true },
        );
      assert.match(step.summary, /```mermaid\ngantt\n/, 'the batches on a timeline');
      for (const name of NAMES)
        assert.match(
          step.summary,
          new RegExp(`\\| ${name} \\| ${version.replaceAll('.', '\\.')}, verified \\|`),
        );
      summaries.push(step.summary);
    }
    assert.match(summaries[1]!, /Batch 1 · web1, web2 :done[\s\S]*Batch 2 · web3, web4 :done/);
    const status = await runCli([
      'status',
      '--environment',
      'production',
      '--state-dir',
      path.join(dir, 'state'),
    ]);
    for (const name of NAMES)
      assert.match(status.stdout, new RegExp(`^${name}\\s+v2\\.1\\.0\\s+yes\\s+yes\\s+\\d{4}-`, 'm'));
  });

  it('a release that breaks on web3: the rollout stops there, web1-2 reverted and verified, web3 never rejoins with it; 0 failed requests', async () => {
    const users = startLoad(haproxy.url, 4, 5);
    const { result: step, fewest } = await sampled(() =>
      deploy('v3.0.0-broken-on-web3', { 'min-healthy': '3' }),
    );
    const load = await users.stop();
    assert.equal(step.outcome, 'failure', step.log);
    assert.equal(load.failed, 0, `failed user requests: ${load.samples.join('; ')}`);
    assert.ok(fewest >= 3, `min-healthy held while reverting too (${fewest})`);
    assert.match(step.log, /on web3: verification failed: .*the rollout stopped at batch 3 of 4/);
    assert.match(step.log, /web3, web1, web2 reverted to v2\.1\.0, verified/);
    assert.deepEqual(running(), ['v2.1.0', 'v2.1.0', 'v2.1.0', 'v2.1.0'], 'web4 was never touched');
    assert.deepEqual(await inRotation(), [...NAMES], 'web3 rejoined once it ran v2.1.0 again, verified');
    const state = recorded();
    assert.equal(state.current, 'v2.1.0');
    assert.equal(state.releases.at(-1).status, 'bad');
    for (const name of NAMES) assert.equal(state.hosts[name].version, 'v2.1.0');
    assert.match(
      step.summary,
      /Batch 3 · web3 :crit[\s\S]*Revert 1 · web3 :done[\s\S]*Revert 3 · web2 :done/,
    );
    assert.match(step.summary, /\| web3 \| reverted to v2\.1\.0, verified \|/);
    assert.doesNotMatch(step.summary, /\| web4 \|/, 'web4 was never touched');
    // The deploy key: masked in the log, and nowhere in what is recorded or shown.
    const secret = sshds[0]!.privateKey
      .split('\n')
      .filter((line) => line.length > 20 && !line.startsWith('-----'));
    const everything = [step.log, step.summary, JSON.stringify(step.outputs), JSON.stringify(state)].join(
      '\n',
    );
    for (const line of secret) assert.ok(!everything.includes(line), 'the private key leaks nowhere');
  });

  it('the dry run: the batches from what HAProxy says now, no host reached', async () => {
    const before = await servers();
    const step = await deploy('v4.0.0', { 'batch-size': '50%', 'min-healthy': '2', 'dry-run': 'true' });
    assert.equal(step.outcome, 'success', step.log);
    assert.match(
      step.log,
      /balancer: +haproxy backend app: web1 serving, web2 serving, web3 serving, web4 serving/,
    );
    assert.match(
      step.log,
      /batches: +2 batches \(web1, web2 \| web3, web4\); at least 2 hosts serving throughout/,
    );
    assert.match(step.log, /verify: .*\(once every host is back, through what users reach\)/);
    assert.deepEqual(await servers(), before);
    assert.deepEqual(running(), ['v2.1.0', 'v2.1.0', 'v2.1.0', 'v2.1.0']);
    const refused = await deploy('v4.0.0', { 'batch-size': '2', 'min-healthy': '3', 'dry-run': 'true' });
    assert.equal(refused.outcome, 'failure');
    assert.match(refused.log, /would change nothing and fail now: batch-size is 2 hosts/);
  });

  it('a plan that would break min-healthy is refused before anything changes, naming the numbers', async () => {
    const before = await servers();
    const step = await deploy('v4.0.0', { 'batch-size': '2', 'min-healthy': '3' });
    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /batch-size is 2 hosts, and batch 1 of 2 \(web1, web2\) would leave 2 of 4 hosts serving while min-healthy is 3/,
    );
    assert.deepEqual(await servers(), before);
    assert.deepEqual(running(), ['v2.1.0', 'v2.1.0', 'v2.1.0', 'v2.1.0']);
  });

  it('a host HAProxy has no server for: refused before any host is touched, the record unchanged', async () => {
    const before = await servers();
    const current = recorded().current;
    const step = await deploy('v4.1.0', {
      hosts: `${inputs.hosts}\n- { name: web5, ssh: "deploy@127.0.0.1:1", address: "127.0.0.1:1" }`,
    });
    assert.equal(step.outcome, 'failure');
    assert.match(step.log, /HAProxy's backend app \(haproxy-backend\) has no server named web5/);
    assert.doesNotMatch(step.log, /On web1/);
    assert.deepEqual(await servers(), before);
    assert.equal(recorded().current, current);
    assert.equal(recorded().releases.at(-1).neverLive, true);
  });

  it('an unreachable host: refused naming it before any host is taken out or changed', async () => {
    const before = await servers();
    const was = running();
    const gone = await startSshd('rolling-gone');
    await gone.close();
    const step = await deploy('v4.2.0', {
      hosts: inputs.hosts!.replace(sshds[3]!.ssh, gone.ssh),
      'known-hosts': `${inputs['known-hosts']}\n${gone.knownHosts}`,
    });
    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /web4 \(.*\): nothing listens for ssh there \(Connection refused\): no host was changed/,
    );
    assert.deepEqual(await servers(), before, 'no host was taken out');
    assert.deepEqual(running(), was);
  });

  it('killed with kill -9 while web2 is out of rotation, then deployed again: the fleet converges, no host left drained', async () => {
    const killed = await deploy('v5.0.0', {}, { killWhen: /Verifying v5\.0\.0 on web2/ });
    assert.notEqual(killed.outcome, 'success');
    await runPostStep('deploy', killed);
    assert.ok(!(await inRotation()).includes('web2'), 'kill -9 left web2 out of rotation');
    const users = startLoad(haproxy.url, 4, 5);
    const again = await deploy('v5.0.0');
    const load = await users.stop();
    assert.equal(again.outcome, 'success', again.log);
    assert.equal(load.failed, 0, `failed user requests: ${load.samples.join('; ')}`);
    assert.match(
      again.log,
      /Rolling v5\.0\.0: 3 batches \(web2 \| web3 \| web4\)/,
      'web1 already ran it, verified',
    );
    assert.deepEqual(running(), ['v5.0.0', 'v5.0.0', 'v5.0.0', 'v5.0.0']);
    assert.deepEqual(await inRotation(), [...NAMES]);
    const hosts = recorded().hosts;
    for (const name of NAMES)
      assert.deepEqual(
        [hosts[name].version, hosts[name].verified, hosts[name].inRotation],
        ['v5.0.0', true, true],
      );
  });

  it('cancelled while web1 drains (its long request still running): web1, unchanged, goes back in rotation', async () => {
    const was = running();
    // A long request on each host (HAProxy's round robin): web1's keeps its drain waiting.
    const slow = NAMES.map(() => fetch(`${haproxy.url}/slow`).then((answer) => answer.status));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const step = await deploy(
      'v5.1.0',
      { 'drain-timeout': '30s' },
      { cancelWhen: /Batch 1 of 4: web1 out of rotation/ },
    );
    assert.notEqual(step.outcome, 'success');
    assert.match(step.log, /cancel/i);
    assert.deepEqual(await inRotation(), [...NAMES], 'web1 is back: it still serves what it served');
    assert.deepEqual(running(), was, 'no host was changed');
    assert.equal(recorded().hosts.web1.inRotation, true);
    assert.deepEqual(await Promise.all(slow), [200, 200, 200, 200], 'the long requests finished');
  });

  it('behind nginx: each host a line of the upstream file, marked down while out; 0 failed requests', async () => {
    const nginx: Nginx = await startNginx(undefined);
    try {
      const port = (at: number) => Number(new URL(services[at]!.url).port);
      writeFileSync(
        nginx.upstreamFile,
        NAMES.map((name, at) => `server 127.0.0.1:${port(at)};  # deploy-actions host ${name}\n`).join(''),
      );
      execSync(`${nginx.testCommand} && ${nginx.reloadCommand}`);
      // The reload took effect once the old worker (with no server) no longer answers: 20 answers in a row.
      for (let ok = 0; ok < 20; )
        ok =
          (await fetch(nginx.url).then(
            (answer) => answer.status,
            () => 0,
          )) === 200
            ? ok + 1
            : 0;
      const behindNginx = {
        traffic: 'nginx',
        'haproxy-socket': '',
        'haproxy-backend': '',
        'nginx-upstream-file': nginx.upstreamFile,
        'nginx-test-command': nginx.testCommand,
        'nginx-reload-command': nginx.reloadCommand,
        'nginx-pid-file': nginx.pidFile,
        'batch-size': '50%',
        'min-healthy': '2',
      };
      const down: number[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          down.push((readFileSync(nginx.upstreamFile, 'utf8').match(/ down;/g) ?? []).length);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const users = startLoad(nginx.url, 4, 5);
      const step = await deploy('v6.0.0', behindNginx);
      const load = await users.stop();
      sampling = false;
      await sampler;
      assert.equal(step.outcome, 'success', step.log);
      assert.equal(load.failed, 0, `failed user requests: ${load.samples.join('; ')}`);
      assert.equal(Math.max(...down), 2, 'two hosts out at a time, never more');
      assert.deepEqual(running(), ['v6.0.0', 'v6.0.0', 'v6.0.0', 'v6.0.0']);
      assert.doesNotMatch(readFileSync(nginx.upstreamFile, 'utf8'), /down/, 'every host back');
    } finally {
      await nginx.close();
    }
  });

  it('on-host-failure stop, behind a switch-command: the hosts done keep the version, the failed host stays out', async () => {
    const gate = path.join(dir, 'gate');
    // The user's gate: a state file per host, read back with DEPLOY_HOST_STATE empty.
    const switchCommand = `if [ -z "$DEPLOY_HOST_STATE" ]; then cat ${gate}-$DEPLOY_HOST 2>/dev/null || echo ready; else echo "$DEPLOY_HOST_STATE" > ${gate}-$DEPLOY_HOST; fi`;
    const step = await deploy('v7.0.0-broken-on-web3', {
      traffic: 'command',
      'haproxy-socket': '',
      'haproxy-backend': '',
      'switch-command': switchCommand,
      'on-host-failure': 'stop',
      'min-healthy': '2',
    });
    assert.equal(step.outcome, 'failure', step.log);
    assert.match(
      step.log,
      /on web3: verification failed: .*the rollout stopped at batch 3 of 4; web1, web2 serve v7\.0\.0-broken-on-web3/,
    );
    assert.deepEqual(running(), [
      'v7.0.0-broken-on-web3',
      'v7.0.0-broken-on-web3',
      'v7.0.0-broken-on-web3-bad',
      'v6.0.0',
    ]);
    const states = NAMES.map((name) =>
      existsSync(`${gate}-${name}`) ? readFileSync(`${gate}-${name}`, 'utf8').trim() : 'never set',
    );
    assert.deepEqual(states, ['ready', 'ready', 'drain', 'never set']);
    const hosts = recorded().hosts;
    assert.deepEqual(
      NAMES.map((name) => [hosts[name].version, hosts[name].verified, hosts[name].inRotation]),
      [
        ['v7.0.0-broken-on-web3', true, true],
        ['v7.0.0-broken-on-web3', true, true],
        ['v7.0.0-broken-on-web3', false, false],
        ['v6.0.0', true, true],
      ],
    );
  });

  it('the ansible driver: one ansible-playbook --limit per batch over the same hosts, a broken host stopping and reverting', async () => {
    const port = (at: number) => Number(new URL(services[at]!.url).port);
    const key = path.join(dir, 'ansible-key');
    writeFileSync(key, sshds[0]!.privateKey, { mode: 0o600 });
    writeFileSync(path.join(dir, 'known_hosts'), `${sshds.map((sshd) => sshd.knownHosts).join('\n')}\n`);
    const inventory = path.join(dir, 'inventory.ini');
    writeFileSync(
      inventory,
      [
        '[web]',
        ...NAMES.map(
          (name, at) =>
            `${name} ansible_host=127.0.0.1 ansible_port=${sshds[at]!.port} deploy_address=127.0.0.1:${port(at)}`,
        ),
        '[web:vars]',
        `ansible_user=${sshds[0]!.user}`,
        `ansible_ssh_private_key_file=${key}`,
        `ansible_ssh_common_args='-o UserKnownHostsFile=${dir}/known_hosts -o StrictHostKeyChecking=yes'`,
        'ansible_python_interpreter=/usr/bin/python3',
        // One SSH command per task (no temp files on the host): what a fleet of hundreds needs too.
        'ansible_pipelining=true',
        "ansible_ssh_args='-o ControlMaster=auto -o ControlPersist=2s'",
        '',
      ].join('\n'),
    );
    const playbook = path.join(dir, 'deploy.yml');
    writeFileSync(
      playbook,
      [
        '- hosts: web',
        '  gather_facts: false',
        '  tasks:',
        '    - name: restart the service with the version',
        '      ansible.builtin.shell: |',
        '        touch {{ dir }}/{{ inventory_hostname }}.restarting',
        '        sleep 0.3',
        `        echo "{{ version ~ ('-bad' if (inventory_hostname == 'web3' and 'broken-on-web3' in version) else '') }}" > {{ dir }}/{{ inventory_hostname }}`,
        '        rm {{ dir }}/{{ inventory_hostname }}.restarting',
        '',
      ].join('\n'),
    );
    const withAnsible = {
      driver: 'ansible',
      playbook,
      inventory,
      'extra-vars': JSON.stringify({ dir }),
      command: '',
      hosts: '',
      'known-hosts': '',
      'ssh-private-key': '',
      'run-on': '',
      'batch-size': '50%',
      'min-healthy': '2',
    };
    const users = startLoad(haproxy.url, 4, 5);
    const good = await deploy('v8.0.0', withAnsible);
    const broken = await deploy('v9.0.0-broken-on-web3', withAnsible);
    const load = await users.stop();
    assert.equal(good.outcome, 'success', good.log);
    assert.match(good.log, /Rolling v8\.0\.0: 2 batches \(web1, web2 \| web3, web4\)/);
    assert.match(good.log, /--limit web1,web2/);
    assert.equal(broken.outcome, 'failure', broken.log);
    assert.match(broken.log, /on web3: verification failed: .*the rollout stopped at batch 2 of 2/);
    assert.match(broken.log, /web3, web1, web2, web4 reverted to v8\.0\.0, verified/);
    assert.equal(load.failed, 0, `failed user requests: ${load.samples.join('; ')}`);
    assert.deepEqual(running(), ['v8.0.0', 'v8.0.0', 'v8.0.0', 'v8.0.0']);
    assert.deepEqual(await inRotation(), [...NAMES]);
  });

  it('the whole pipeline: a release broken on web3 opens an incident that says what became of each host', async () => {
    const incidents = path.join(dir, 'incidents');
    const step = await runStep('.', {
      with: {
        ...inputs,
        version: 'v10.0.0-broken-on-web3',
        'batch-size': '2',
        'min-healthy': '2',
        'health-probes': `- { name: public, type: http, url: "${haproxy.url}/health", count: 1 }`,
        incident: 'file',
        'incident-on': 'any-failure',
        'incident-dir': incidents,
      },
      env: { TMPDIR: temp },
      hardTimeoutMs: 120_000,
    });
    assert.equal(step.outcome, 'failure', step.log);
    const incident = readFileSync(path.join(incidents, 'incident-1.md'), 'utf8');
    assert.match(incident, /### Hosts the release reached/);
    assert.match(
      incident,
      /\| Rollback \| ↩️ every host the release reached was reverted to (v[\d.]+), each verified before it rejoined/,
    );
    const previous = /reverted to (v[\d.]+), each verified/.exec(incident)![1]!;
    for (const host of NAMES)
      assert.ok(incident.includes(`| ${host} | reverted to ${previous}, verified |`), host);
    assert.deepEqual(running(), [previous, previous, previous, previous]);
  });

  it("backend github: each host said in the deployment's statuses, before the release's own final one, and read back", async () => {
    const github = await startFakeGitHub({ repos: ['acme/shop'] });
    try {
      github.repo('acme/shop').runs.set(77, 'in_progress');
      const step = await runGitHubStep(github, 'deploy', {
        with: { ...inputs, version: 'v11.0.0', backend: 'github', 'batch-size': '50%', 'min-healthy': '2' },
        env: { TMPDIR: temp, GITHUB_RUN_ID: '77' },
        hardTimeoutMs: 120_000,
      });
      assert.equal(step.outcome, 'success', step.log);
      const [deployment] = github.repo('acme/shop').deployments.filter((d) => d.environment === 'production');
      const said = deployment!.statuses.map((s) => `${s.state} ${s.description}`);
      for (const name of NAMES)
        assert.ok(said.includes(`in_progress host ${name}: v11.0.0 verified, in rotation`), said.join('\n'));
      assert.match(
        said.at(-1)!,
        /^success good: v11\.0\.0 deployed and verified/,
        'the final status is the newest',
      );
      // Read back: the same version again finds every host done, verified, in rotation.
      github.repo('acme/shop').runs.set(78, 'in_progress');
      const again = await runGitHubStep(github, 'deploy', {
        with: { ...inputs, version: 'v11.0.0', backend: 'github', force: 'true', 'min-healthy': '2' },
        env: { TMPDIR: temp, GITHUB_RUN_ID: '78' },
        hardTimeoutMs: 120_000,
      });
      assert.equal(again.outcome, 'success', again.log);
      assert.match(again.log, /Rolling v11\.0\.0: 0 batches/);
      assertFaithful(github);
    } finally {
      await github.close();
    }
  });
});
