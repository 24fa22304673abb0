import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { actionEnv, median, run } from './measure.ts';

/**
 * The health engine's CPU per probe as the probes grow: the health-check action over `n` HTTP
 * probes (count 3, 100 ms apart) against one local server, read from a probes-file (thousands
 * of probes do not fit in one environment variable). A probe's cost is what `n` probes cost
 * beyond one probe, divided by n - 1: linear growth keeps it level from 300 to 5,000.
 */
export async function engineCpuPerProbe(
  dist: string,
  sizes: readonly number[],
  rounds = 3,
): Promise<Map<number, number>> {
  const server = http.createServer((_req, res) => res.end('{"status":"UP"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 8192, resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-engine-'));
  const cpuOf = async (n: number) => {
    const file = path.join(dir, `probes-${n}.yml`);
    const probe = (i: number) => `- { name: p${i}, type: http, url: "${base}/health/${i}" }`;
    writeFileSync(file, Array.from({ length: n }, (_, i) => probe(i)).join('\n'));
    const env = actionEnv({ 'probes-file': file, count: '3', interval: '100ms', timeout: '30s' });
    const cpu: number[] = [];
    for (let i = 0; i < rounds; i++) cpu.push((await run([process.execPath, dist], env)).cpuMs);
    return median(cpu);
  };
  try {
    const one = await cpuOf(1);
    const perProbe = new Map<number, number>();
    for (const n of sizes) perProbe.set(n, ((await cpuOf(n)) - one) / (n - 1));
    return perProbe;
  } finally {
    server.close();
  }
}

if (import.meta.main) {
  const dist = path.resolve(import.meta.dirname, '..', '..', 'dist', 'health-check', 'index.js');
  for (const [n, cpu] of await engineCpuPerProbe(dist, [300, 1000, 3000, 5000]))
    console.log(`${n} probes: ${cpu.toFixed(3)} ms CPU per probe`);
}
