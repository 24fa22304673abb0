import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { Gauge, Registry } from 'prom-client';
import { isProcessAlive } from '../clients/process-alive.ts';
import type { ExporterSettings, StatusSource } from '../model/exporter.ts';
import type { CommandRunner } from '../ports.ts';

/** CPU time counters from /proc/stat: busy and total jiffies since boot. */
function readCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** Memory in use as a percentage, from MemAvailable (what the kernel could hand out without swapping). */
export function readMemoryPercent(meminfo = readFileSync('/proc/meminfo', 'utf8')): number {
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? Number.NaN);
  const total = field('MemTotal');
  return (100 * (total - field('MemAvailable'))) / total;
}

function readDiskPercent(path: string): number {
  const stats = statfsSync(path);
  const used = stats.blocks - stats.bfree;
  return (100 * used) / (used + stats.bavail);
}

/** Whether the runner service is up, by the source the user chose. */
export async function readStatus(source: StatusSource, runner: CommandRunner): Promise<boolean> {
  switch (source.kind) {
    case 'always':
      return true;
    case 'pidfile':
      try {
        return isProcessAlive(Number(readFileSync(source.path, 'utf8').trim()));
      } catch {
        return false;
      }
    case 'process':
      return readdirSync('/proc').some((entry) => {
        if (!/^\d+$/.test(entry)) return false;
        try {
          return readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === source.name.slice(0, 15);
        } catch {
          return false;
        }
      });
    case 'systemd': {
      const result = await runner.run({
        argv: ['systemctl', 'is-active', '--quiet', source.unit],
        timeoutMs: 5000,
      });
      return result.exitCode === 0;
    }
  }
}

/**
 * A prom-client registry with the runner's health, read fresh at every scrape:
 * runner_status (1 up, 0 down), runner_cpu_usage_percent (since the previous scrape),
 * runner_memory_usage_percent and runner_disk_usage_percent, labelled runner and role.
 */
export function createRunnerRegistry(settings: ExporterSettings, runner: CommandRunner): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ runner: settings.runner, role: settings.role });
  let previous = readCpu();
  new Gauge({
    name: 'runner_status',
    help: 'Whether the runner service is up (1) or not (0).',
    registers: [registry],
    async collect() {
      this.set((await readStatus(settings.status, runner)) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'runner_cpu_usage_percent',
    help: 'CPU in use, percent of all cores, since the previous scrape.',
    registers: [registry],
    collect() {
      const now = readCpu();
      const total = now.total - previous.total;
      if (total > 0) this.set((100 * (now.busy - previous.busy)) / total);
      previous = now;
    },
  });
  new Gauge({
    name: 'runner_memory_usage_percent',
    help: 'Memory in use, percent (from MemAvailable).',
    registers: [registry],
    collect() {
      this.set(readMemoryPercent());
    },
  });
  new Gauge({
    name: 'runner_disk_usage_percent',
    help: 'Disk in use on the configured path, percent.',
    registers: [registry],
    collect() {
      this.set(readDiskPercent(settings.diskPath));
    },
  });
  return registry;
}
