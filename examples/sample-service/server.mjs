#!/usr/bin/env node
// A small service to deploy and probe: /actuator/health, /api/health and / answer 200 with
// its VERSION, unless BROKEN=1, when health says DOWN with a 503 (a bad release).
// PORT=0 picks a free port; the chosen one is printed as "listening on http://127.0.0.1:PORT".
import http from 'node:http';

const version = process.env.VERSION ?? 'dev';
// BREAKS_AFTER_MS: healthy at first, broken from then on (a release that fails under real use).
const breaksAt = Date.now() + Number(process.env.BREAKS_AFTER_MS ?? Number.POSITIVE_INFINITY);
const server = http.createServer((req, res) => {
  const broken = process.env.BROKEN === '1' || Date.now() >= breaksAt;
  const health = broken
    ? { status: 'DOWN', version, reason: 'database migration failed' }
    : { status: 'UP', version };
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/actuator/health' || req.url === '/api/health') return send(broken ? 503 : 200, health);
  if (req.url === '/version') return send(200, { version });
  if (req.url === '/') return send(200, { service: 'shop', version });
  return send(404, { error: 'not found' });
});
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(
    `listening on http://127.0.0.1:${server.address().port} (version ${version}${process.env.BROKEN === '1' ? ', broken' : ''})`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
