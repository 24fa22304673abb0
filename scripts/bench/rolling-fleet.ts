import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHaproxy } from '../../__tests__/fixtures/haproxy.ts';
import { startSshd, type TestSshd } from '../../__tests__/fixtures/sshd.ts';
import { startVersionedService } from '../../__tests__/fixtures/versioned-service.ts';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { parseSshEndpoint } from '../../src/model/ssh-endpoint.ts';
import { SshSession } from '../../src/target/ssh-session.ts';
import { actionEnv, median } from './measure.ts';

/** `count` test hosts on loopback: an sshd each (own host key and port), one deploy key for all. */
async function fleetOf(count: number): Promise<TestSshd[]> {
  const hosts = await Promise.all(Array.from({ length: count }, (_, at) => startSshd(`bench-host${at + 1}`)));
  for (const host of hosts.slice(1))
    writeFileSync(
      path.join(host.dir, 'authorized_keys'),
      readFileSync(path.join(hosts[0]!.dir, 'client_key.pub')),
    );
  return hosts;
}

/**
 * One remote command (`true`) over SSH as deploy-actions runs it: on the release's connection
 * (the master opened once, each command a new channel), and without reuse (a new connection,
 * key exchange and login, each time). Median ms of `rounds` each.
 */
export async function remoteCommandMs(rounds = 11): Promise<{ reused: number; fresh: number }> {
  const [host] = await fleetOf(1);
  const endpoint = parseSshEndpoint(host!.ssh);
  if ('problem' in endpoint) throw new Error(endpoint.problem);
  const settings = {
    hosts: [{ name: 'web1', endpoint }],
    jump: [],
    knownHosts: host!.knownHosts,
    privateKey: host!.privateKey,
    connectTimeoutSeconds: 5,
  };
  const runner = new ProcessRunner({ baseEnv: process.env });
  const timed = async (work: () => Promise<void>) => {
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      await work();
      times.push(performance.now() - started);
    }
    return median(times);
  };
  const session = SshSession.open(settings, runner, tmpdir());
  try {
    await session.run('web1', ['true']);
    const reused = await timed(async () => {
      await session.run('web1', ['true']);
    });
    const fresh = await timed(async () => {
      const once = SshSession.open(settings, runner, tmpdir());
      try {
        await once.run('web1', ['true']);
      } finally {
        await once.close();
      }
    });
    return { reused, fresh };
  } finally {
    await session.close();
    await host!.close();
  }
}

/**
 * A rolling release over `count` hosts on loopback behind a real HAProxy, through the deploy
 * action from dist/: each host's deploy is a command run on it over SSH, each host verified on
 * its own address (one probe) before it rejoins. Median wall ms of `rounds` releases at each
 * batch size; the time per batch follows.
 */
export async function rollingFleetMs(
  deployDist: string,
  count = 20,
  rounds = 3,
): Promise<{ batchSize: number; batches: number; ms: number }[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-rolling-'));
  const hosts = await fleetOf(count);
  const names = hosts.map((_, at) => `host${at + 1}`);
  const services = await Promise.all(names.map((name) => startVersionedService(path.join(dir, name))));
  const port = (at: number) => Number(new URL(services[at]!.url).port);
  const haproxy = await startHaproxy(Object.fromEntries(names.map((name, at) => [name, port(at)])), '*');
  const inputs = {
    environment: 'production',
    strategy: 'rolling',
    'haproxy-socket': haproxy.socket,
    'haproxy-backend': haproxy.backend,
    'run-on': 'host',
    command: `echo "$DEPLOY_VERSION" > ${dir}/$DEPLOY_HOST`,
    hosts: names
      .map((name, at) => `- { name: ${name}, ssh: "${hosts[at]!.ssh}", address: "127.0.0.1:${port(at)}" }`)
      .join('\n'),
    'known-hosts': hosts.map((host) => host.knownHosts).join('\n'),
    'ssh-private-key': hosts[0]!.privateKey,
    'verify-probes': '- { name: host, type: http, url: "{host_url}/health", count: 1 }',
    'min-healthy': '50%',
    'state-dir': path.join(dir, 'state'),
    attempts: '1',
  };
  let version = 0;
  const release = (batchSize: number) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [deployDist], {
        env: {
          PATH: process.env.PATH,
          ...actionEnv({ ...inputs, 'batch-size': String(batchSize), version: `v${++version}` }),
        },
        stdio: 'ignore',
      });
      child.once('exit', (code) =>
        code === 0
          ? resolve(performance.now() - started)
          : reject(new Error(`rolling release: exit ${code}`)),
      );
    });
  try {
    await release(Math.ceil(count / 2)); // the first release: no host runs anything yet
    const results = [];
    for (const batchSize of [1, Math.ceil(count / 4)]) {
      const times: number[] = [];
      for (let round = 0; round < rounds; round++) times.push(await release(batchSize));
      results.push({ batchSize, batches: Math.ceil(count / batchSize), ms: median(times) });
    }
    return results;
  } finally {
    await haproxy.close();
    await Promise.all([...hosts.map((host) => host.close()), ...services.map((service) => service.close())]);
  }
}
