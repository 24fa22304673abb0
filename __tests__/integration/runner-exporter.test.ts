import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { readMemoryPercent } from '../../src/exporter/runner-metrics.ts';
import { parseRunnerGateSettings } from '../../src/settings/runner-gate.ts';
import { runRunnerGate } from '../../src/steps/runner-gate.ts';
import { requireBinary, startPrometheus } from '../fixtures/prometheus.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';
import { freePort } from '../fixtures/test-service.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'index.js');

async function startExporter(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'exporter', '--listen', `127.0.0.1:${port}`, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the exporter exited ${code} before serving`)));
  });
  return { child, url: `http://127.0.0.1:${port}/metrics` };
}

async function scrape(
  url: string,
): Promise<Record<string, { value: number; labels: Record<string, string> }>> {
  const families = parsePrometheusTextFormat(await (await fetch(url)).text());
  return Object.fromEntries(
    families.map((f) => [f.name, { value: Number(f.metrics[0]!.value), labels: f.metrics[0]!.labels ?? {} }]),
  );
}

describe('runner exporter (CLI `exporter`, prom-client)', () => {
  it('serves runner_status from a pid file, and CPU, memory and disk as percentages, labelled runner and role', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'exporter-'));
    const pidFile = path.join(dir, 'runner.pid');
    writeFileSync(pidFile, String(process.pid));
    const { child, url } = await startExporter([
      '--runner',
      'primary',
      '--role',
      'primary',
      '--status',
      `pidfile:${pidFile}`,
    ]);
    try {
      const up = await scrape(url);
      assert.deepEqual(up.runner_status, { value: 1, labels: { runner: 'primary', role: 'primary' } });
      for (const name of [
        'runner_cpu_usage_percent',
        'runner_memory_usage_percent',
        'runner_disk_usage_percent',
      ]) {
        assert.ok(up[name]!.value >= 0 && up[name]!.value <= 100, `${name} = ${up[name]!.value}`);
      }
      writeFileSync(pidFile, '999999999');
      assert.equal((await scrape(url)).runner_status!.value, 0, 'a dead pid is down');
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    assert.equal(code, 0, 'SIGTERM stops it cleanly');
  });

  it('reads runner_status from a process name (as in /proc/*/comm)', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const { child, url } = await startExporter(['--status', 'process:sleep']);
    try {
      assert.equal((await scrape(url)).runner_status!.value, 1);
      sleeper.kill('SIGKILL');
      await new Promise((resolve) => sleeper.once('exit', resolve));
      const { child: other, url: otherUrl } = await startExporter(['--status', 'process:no-such-proc']);
      assert.equal((await scrape(otherUrl)).runner_status!.value, 0);
      other.kill('SIGTERM');
    } finally {
      child.kill('SIGTERM');
      sleeper.kill('SIGKILL');
    }
  });

  it('is scraped by a real Prometheus, and the gate chooses by it', async () => {
    const { child, url } = await startExporter(['--runner', 'primary', '--status', 'always']);
    const prometheus = await startPrometheus([url]);
    try {
      const { logger } = recordingLogger();
      const settings = parseRunnerGateSettings({
        'prometheus-url': prometheus.url,
        candidates: '- { name: primary }',
        'max-cpu-percent': '100',
        'max-memory-percent': '100',
      });
      const decision = await runRunnerGate(settings, { logger });
      assert.equal(decision.runner, 'primary', decision.reason);
    } finally {
      await prometheus.close();
      child.kill('SIGTERM');
    }
  });

  it('computes memory use from MemAvailable', () => {
    assert.equal(
      readMemoryPercent('MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n'),
      75,
    );
  });

  it('ships a hardened systemd unit and an Ansible playbook that installs it', () => {
    const unit = readFileSync(
      path.join(REPO_ROOT, 'examples', 'exporter', 'deploy-actions-exporter.service'),
      'utf8',
    );
    for (const line of [
      'Restart=on-failure',
      'DynamicUser=yes',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
    ]) {
      assert.ok(unit.split('\n').includes(line), `the unit lacks ${line}`);
    }
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/deploy-actions\/dist\/cli\/index\.js exporter /m);
    requireBinary('ansible-playbook', 'ansible-core');
    execFileSync(
      'ansible-playbook',
      [
        '--syntax-check',
        '-i',
        'localhost,',
        path.join(REPO_ROOT, 'examples', 'ansible', 'install-exporter.yml'),
      ],
      { stdio: 'pipe' },
    );
  });
});
