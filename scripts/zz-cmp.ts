import { readFileSync } from 'node:fs';
import { actionEnv, compare, run } from './bench/measure.ts';

const port = readFileSync('/tmp/eng/port', 'utf8').trim();
const env = () =>
  actionEnv({ probes: `- { name: port, type: tcp, host: 127.0.0.1, port: ${port} }`, count: '1' });
const [a, b] = process.argv.slice(2);
const c = await compare(
  21,
  () => run([process.execPath, a!], env()),
  () => run([process.execPath, b!], env()),
);
console.log(JSON.stringify(c));
const bare = await compare(
  21,
  () => run([process.execPath, b!], env()),
  () => run([process.execPath, '-e', '']),
);
console.log('b vs bare', JSON.stringify(bare));
