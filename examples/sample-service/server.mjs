#!/usr/bin/env node
// A small service to deploy and probe: /actuator/health, /api/health and / answer 200 with
// its VERSION, unless BROKEN=1, when health says DOWN with a 503 (a bad release).
// PORT=0 picks a free port; the chosen one is printed as "listening on http://127.0.0.1:PORT".
// A canary build can be told to fail users some of the time or to be slow, while its health
// stays UP (what probes miss and real traffic shows): FAIL_FRACTION=0.2 answers 500 to a fifth
// of the requests to / and /api/*, SLOW_MS=200 delays each of them. /metrics counts requests by
// version and code, with a latency histogram (Prometheus text format).
import http from 'node:http';

const version = process.env.VERSION ?? 'dev';
// BREAKS_AFTER_MS: healthy at first, broken from then on (a release that fails under real use).
const breaksAt = Date.now() + Number(process.env.BREAKS_AFTER_MS ?? Number.POSITIVE_INFINITY);
const failFraction = Number(process.env.FAIL_FRACTION ?? 0);
const slowMs = Number(process.env.SLOW_MS ?? 0);
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const counts = new Map();
const histogram = { buckets: BUCKETS.map(() => 0), count: 0, sum: 0 };
// Every failFraction-th request fails, spread evenly: a fraction users see, not a coin's luck.
let served = 0;

function observe(code, seconds) {
  counts.set(code, (counts.get(code) ?? 0) + 1);
  histogram.count++;
  histogram.sum += seconds;
  BUCKETS.forEach((bound, at) => {
    if (seconds <= bound) histogram.buckets[at]++;
  });
}

function metrics() {
  const label = `version="${version.replace(/["\\]/g, '')}"`;
  return [
    '# TYPE http_requests_total counter',
    ...[...counts].map(([code, n]) => `http_requests_total{${label},code="${code}"} ${n}`),
    '# TYPE http_request_duration_seconds histogram',
    ...BUCKETS.map(
      (bound, at) => `http_request_duration_seconds_bucket{${label},le="${bound}"} ${histogram.buckets[at]}`,
    ),
    `http_request_duration_seconds_bucket{${label},le="+Inf"} ${histogram.count}`,
    `http_request_duration_seconds_sum{${label}} ${histogram.sum}`,
    `http_request_duration_seconds_count{${label}} ${histogram.count}`,
    '',
  ].join('\n');
}

const server = http.createServer((req, res) => {
  const began = performance.now();
  const broken = process.env.BROKEN === '1' || Date.now() >= breaksAt;
  const health = broken
    ? { status: 'DOWN', version, reason: 'database migration failed' }
    : { status: 'UP', version };
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    if (req.url !== '/metrics') observe(status, (performance.now() - began) / 1000);
  };
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    return res.end(metrics());
  }
  if (req.url === '/actuator/health' || req.url === '/api/health') return send(broken ? 503 : 200, health);
  if (req.url === '/version') return send(200, { version });
  if (req.url === '/' || req.url.startsWith('/api/')) {
    served++;
    const fails =
      failFraction > 0 && Math.floor(served * failFraction) > Math.floor((served - 1) * failFraction);
    const answer = () =>
      fails ? send(500, { error: 'internal error', version }) : send(200, { service: 'shop', version });
    return slowMs > 0 ? setTimeout(answer, slowMs) : answer();
  }
  return send(404, { error: 'not found' });
});
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(
    `listening on http://127.0.0.1:${server.address().port} (version ${version}${process.env.BROKEN === '1' ? ', broken' : ''})`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
