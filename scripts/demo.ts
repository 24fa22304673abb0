/**
 * The local demo (`npm run demo`): nothing to install beyond `npm ci`. Starts the sample
 * service as release v1 and proves it healthy with the built CLI, then replaces it with a
 * broken v2 and shows the health check failing fast, naming the probe, with a timeline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'index.js');
const started = performance.now();
const timeline: string[] = [];
const mark = (event: string) => {
  const line = `${((performance.now() - started) / 1000).toFixed(2).padStart(6)} s  ${event}`;
  timeline.push(line);
  console.log(`\n▶ ${event}`);
};

async function startService(version: string, broken: boolean): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(root, 'examples', 'sample-service', 'server.mjs')], {
    env: { ...process.env, PORT: '0', VERSION: version, BROKEN: broken ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const url = /listening on (\S+)/.exec(chunk.toString())?.[1];
  if (!url) throw new Error(`the sample service did not start: ${chunk}`);
  return { url, child };
}

function probes(url: string): string {
  return `
- { name: actuator, type: http, url: "${url}/actuator/health", expect: { status: 200, json: { path: $.status, equals: UP } } }
- { name: home, type: http, url: "${url}/" }
- { name: api, type: http, url: "${url}/api/health" }
`;
}

async function healthCheck(url: string): Promise<number> {
  const child = spawn(
    process.execPath,
    [cli, 'health-check', '--probes', probes(url), '--interval', '300ms', '--count', '3'],
    {
      stdio: 'inherit',
    },
  );
  const [code] = (await once(child, 'exit')) as [number];
  return code;
}

mark('start release v1 of the sample service');
const v1 = await startService('v1', false);
mark(`health-check v1 at ${v1.url}`);
const v1Code = await healthCheck(v1.url);
mark(`v1 is ${v1Code === 0 ? 'healthy (exit 0)' : `NOT healthy (exit ${v1Code})`}`);
v1.child.kill('SIGTERM');

mark('start release v2 (broken: its health endpoint says DOWN)');
const v2 = await startService('v2', true);
mark(`health-check v2 at ${v2.url}`);
const v2Code = await healthCheck(v2.url);
mark(`v2 is ${v2Code === 0 ? 'healthy?! (exit 0)' : `unhealthy, detected fast (exit ${v2Code})`}`);
v2.child.kill('SIGTERM');

console.log(`\nTimeline\n${timeline.join('\n')}`);
console.log('\nNext: deploy, rollback and incidents join this demo as the deploy issues land.');
process.exitCode = v1Code === 0 && v2Code !== 0 ? 0 : 1;
