import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError } from '../../src/errors.ts';
import { loadTextPatternEngine } from '../../src/schema/text-pattern.ts';
import { defaultJudgement, parseHealthCheckSettings } from '../../src/settings/health-check.ts';
import { parseProbes } from '../../src/settings/probe-list.ts';

// Settings are parsed directly here, as the faces parse them after loading the engine.
await loadTextPatternEngine();

const noFiles = (file: string): string => {
  throw new Error(`ENOENT: no such file or directory, open '${file}'`);
};
const parse = (raw: Record<string, string>, readFile = noFiles) => parseHealthCheckSettings(raw, readFile);

/** Asserts a ConfigurationError naming `input` whose message matches `pattern`. */
function rejects(raw: Record<string, string>, input: string, pattern: RegExp): void {
  assert.throws(
    () => parse(raw),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
      assert.equal(error.input, input);
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace in the message');
      return true;
    },
  );
}

const http = (extra = '') => `- name: api\n  type: http\n  url: http://127.0.0.1:8080/health\n${extra}`;

describe('health-check settings: valid input', () => {
  it('applies the action-level judgement to every probe and lets a probe override it', () => {
    const settings = parse({
      probes: `${http()}- name: db\n  type: tcp\n  host: 127.0.0.1\n  port: 5432\n  count: 5\n  failure-limit: 2\n`,
      interval: '2s',
      count: '4',
      'failure-limit': '1',
    });
    assert.equal(settings.probes.length, 2);
    assert.deepEqual(settings.probes[0]!.judgement, {
      intervalMs: 2000,
      count: 4,
      initialDelayMs: 0,
      failureLimit: 1,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      errorLimit: undefined,
      consecutiveSuccesses: undefined,
      timeoutMs: 5000,
      startTimeoutMs: 0,
      dryRun: false,
    });
    assert.equal(settings.probes[1]!.judgement.count, 5);
    assert.equal(settings.probes[1]!.judgement.failureLimit, 2);
  });

  it('accepts JSON as well as YAML, and a file', () => {
    const json = JSON.stringify([
      { name: 'api', type: 'http', url: 'https://example.test/health', expect: { status: '2xx' } },
    ]);
    assert.equal(parse({ probes: json }).probes[0]!.name, 'api');
    const fromFile = parse({ 'probes-file': 'probes.yml' }, (file) =>
      file === 'probes.yml' ? http() : noFiles(file),
    );
    assert.equal(fromFile.probes[0]!.type, 'http');
  });

  it('every probe list in the examples parses (workflows and probe files: what users copy)', () => {
    const found: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (/(^|-)probes$/.test(key) && typeof value === 'string') {
          // A workflow expression stands for a value GitHub fills in; a slot placeholder, for the
          // blue-green slot a deploy points it at.
          const filled = value
            .replace(/\$\{\{[^}]*\}\}/g, '1')
            .replace(/\{slot_url\}/g, 'http://127.0.0.1:8081')
            .replace(/\{slot_host\}/g, '127.0.0.1')
            .replace(/\{slot_port\}/g, '8081');
          parseProbes(parseYaml(filled), `${where}.${key}`, defaultJudgement());
          found.push(`${where}.${key}`);
        } else visit(value, `${where}.${key}`);
      }
    };
    for (const file of readdirSync('examples/workflows').filter((name) => name.endsWith('.yml')))
      visit(parseYaml(readFileSync(path.join('examples/workflows', file), 'utf8')), file);
    parseProbes(
      parseYaml(readFileSync('examples/health-probes.yml', 'utf8')),
      'health-probes.yml',
      defaultJudgement(),
    );
    assert.ok(found.length >= 3, `probe lists found: ${found.join(', ')}`);
  });

  it('reads the seed examples: actuator UP, /, /api/health, redis PONG, disk and memory thresholds', () => {
    const settings = parse({
      probes: `
- name: actuator
  type: http
  url: http://127.0.0.1:8080/actuator/health
  expect: { status: 200, json: { path: $.status, equals: UP } }
- { name: home, type: http, url: "http://127.0.0.1:8080/", expect: { status: 200 } }
- { name: api, type: http, url: "http://127.0.0.1:8080/api/health", expect: { status: 200 } }
- name: redis
  type: command
  run: redis-cli ping
  expect: { stdout: ^PONG$ }
- name: disk
  type: promql
  prometheus: http://127.0.0.1:9090
  query: max(100 * (1 - node_filesystem_avail_bytes / node_filesystem_size_bytes))
  expect: { value: < 90 }
- name: memory
  type: promql
  prometheus: http://127.0.0.1:9090
  query: max(100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes))
  expect: { value: < 95 }
`,
    });
    assert.deepEqual(
      settings.probes.map((p) => `${p.name}:${p.type}`),
      ['actuator:http', 'home:http', 'api:http', 'redis:command', 'disk:promql', 'memory:promql'],
    );
  });

  it('treats an empty input as not given, so the documented default applies', () => {
    assert.equal(parse({ probes: http(), interval: '', count: '' }).probes[0]!.judgement.count, 3);
  });
});

describe('health-check settings: every bad input is a ConfigurationError naming the input and field', () => {
  it('an unknown probe type', () => {
    rejects(
      { probes: '- name: x\n  type: ping\n' },
      'probes',
      /probe 1 \("x"\): unknown probe type "ping"; use one of http, tcp, command, promql/,
    );
  });
  it('a malformed URL', () => {
    rejects(
      { probes: '- name: api\n  type: http\n  url: htp:/oops\n' },
      'probes',
      /probe 1 \("api"\), field "url": "htp:\/oops" is not a valid http\(s\) URL/,
    );
  });
  it('a negative interval, at the action level and in a probe', () => {
    rejects({ probes: http(), interval: '-5s' }, 'interval', /"-5s" must not be negative/);
    rejects({ probes: http('  interval: -1s\n') }, 'probes', /field "interval": "-1s" must not be negative/);
  });
  it('a failure-limit not below count', () => {
    rejects(
      { probes: http(), count: '3', 'failure-limit': '3' },
      'failure-limit',
      /3 must be less than count \(3\), or the probe could never fail/,
    );
    rejects(
      { probes: http('  count: 2\n  failure-limit: 5\n') },
      'probes',
      /probe 1 \("api"\), field "failure-limit": 5 must be less than count \(2\)/,
    );
  });
  it('failure-limit -1 (failures never fail) is accepted beside consecutive-successes, refused without it', () => {
    const settings = parse({
      probes: http(),
      count: '5',
      'failure-limit': '-1',
      'consecutive-successes': '2',
    });
    assert.equal(settings.probes[0]!.judgement.failureLimit, -1);
    rejects(
      { probes: http(), count: '5', 'failure-limit': '-1' },
      'failure-limit',
      /-1 \(failures never fail the probe\) needs consecutive-successes, or nothing could decide it/,
    );
    rejects(
      { probes: http(), 'failure-limit': '-2' },
      'failure-limit',
      /"-2" is not a whole number ≥ 0, or -1 \(failures never fail the probe; consecutive-successes decides\)/,
    );
  });
  it('consecutive-successes above count, or of 1 (one healthy answer is not an analysis)', () => {
    rejects(
      { probes: http(), 'consecutive-successes': '4' },
      'consecutive-successes',
      /cannot exceed count \(3\)/,
    );
    rejects(
      { probes: http(), 'consecutive-successes': '1' },
      'consecutive-successes',
      /1 would end the analysis at the first healthy answer: use 2 or more \(or count: 1 for one measurement\)/,
    );
    assert.equal(
      parse({ probes: http(), count: '1', 'consecutive-successes': '1' }).probes[0]!.judgement.count,
      1,
    );
  });
  it('count below failure-limit + consecutive-successes is accepted (Argo refuses it): a wait for a slow starter', () => {
    // Up to 30 measurements for two healthy answers in a row: meaningful though 29 failures and
    // a streak of 2 cannot both fit; the README's difference table says why this differs.
    const { judgement } = parse({
      probes: http(),
      count: '30',
      'failure-limit': '29',
      'consecutive-successes': '2',
    }).probes[0]!;
    assert.deepEqual([judgement.count, judgement.failureLimit, judgement.consecutiveSuccesses], [30, 29, 2]);
  });
  it("Argo's limits under Argo's names: inconclusive-limit below count; error limits need no relation to count", () => {
    const { judgement } = parse({
      probes: http('  consecutive-error-limit: 9\n  error-limit: 20\n'),
      'inconclusive-limit': '2',
    }).probes[0]!;
    assert.deepEqual(
      [judgement.inconclusiveLimit, judgement.consecutiveErrorLimit, judgement.errorLimit],
      [2, 9, 20],
    );
    rejects(
      { probes: http(), 'inconclusive-limit': '3' },
      'inconclusive-limit',
      /3 must be less than count \(3\), or it would tolerate every measurement/,
    );
    rejects(
      { probes: http(), 'consecutive-error-limit': '-1' },
      'consecutive-error-limit',
      /not a whole number ≥ 0/,
    );
    // A probe may switch the action's error-limit off again.
    const off = parse({ probes: http("  error-limit: ''\n"), 'error-limit': '3' }).probes[0]!;
    assert.equal(off.judgement.errorLimit, undefined);
  });
  it('count unbounded: only beside consecutive-successes and a failure-limit of 0 or more', () => {
    const { judgement } = parse({ probes: http(), count: 'unbounded', 'consecutive-successes': '3' })
      .probes[0]!;
    assert.equal(judgement.count, Number.POSITIVE_INFINITY);
    rejects(
      { probes: http(), count: 'unbounded' },
      'count',
      /unbounded needs consecutive-successes and a failure-limit of 0 or more, or the probe might never end/,
    );
    rejects(
      { probes: http(), count: 'unbounded', 'consecutive-successes': '3', 'failure-limit': '-1' },
      'count',
      /might never end/,
    );
    rejects(
      { probes: http(), count: 'forever' },
      'count',
      /"forever" is not a whole number ≥ 1, or unbounded/,
    );
  });
  it('dry-run probes: one counted probe at least', () => {
    const settings = parse({
      probes: `${http()}- { name: trial, type: tcp, host: 127.0.0.1, port: 1, dry-run: true }\n`,
    });
    assert.deepEqual(
      settings.probes.map((p) => p.judgement.dryRun),
      [false, true],
    );
    rejects(
      { probes: http('  dry-run: true\n') },
      'probes',
      /every probe is a dry run, so nothing could fail the check: leave one counted/,
    );
    rejects({ probes: http('  dry-run: maybe\n') }, 'probes', /field "dry-run": "maybe" is not a boolean/);
  });
  it('fail-when: a condition on what the probe saw, with at least one field; max-latency is not one', () => {
    const settings = parse({ probes: http('  fail-when: { status: 5xx }\n') });
    assert.equal(
      settings.probes[0]!.type === 'http' && settings.probes[0]!['fail-when']?.status?.description,
      '5xx',
    );
    rejects({ probes: http('  fail-when: {}\n') }, 'probes', /fail-when needs at least one condition/);
    rejects(
      { probes: http('  fail-when: { json: [] }\n') },
      'probes',
      /an empty list in fail-when would hold of every answer/,
    );
    rejects({ probes: http('  expect: { status: [] }\n') }, 'probes', /an empty list matches no status/);
    rejects({ probes: http('  fail-when: { max-latency: 2s }\n') }, 'probes', /fail-when/);
    rejects(
      { probes: '- { name: port, type: tcp, host: 127.0.0.1, port: 1, fail-when: { banner: x } }' },
      'probes',
      /fail-when/,
    );
  });
  it('a bad JSON path', () => {
    rejects(
      { probes: http('  expect: { json: { path: status, equals: UP } }\n') },
      'probes',
      /field "expect.json\[0\].path": JSON path "status" must start with \$/,
    );
  });
  it('unparsable YAML, with its line', () => {
    rejects(
      { probes: '- name: api\n  type: [http\n' },
      'probes',
      /not valid YAML or JSON at line \d+, column \d+/,
    );
  });
  it('a count that is not a whole number', () => {
    rejects({ probes: http(), count: 'three' }, 'count', /"three" is not a whole number ≥ 1/);
    rejects({ probes: http(), count: '0' }, 'count', /"0" is not a whole number ≥ 1/);
  });
  it('a misspelt field instead of silently ignoring it', () => {
    rejects({ probes: http('  failure_limit: 2\n') }, 'probes', /probe 1 \("api"\).*failure_limit/);
  });
  it('two probes with one name', () => {
    rejects({ probes: `${http()}${http()}` }, 'probes', /probe 2 \("api"\): the name is used twice/);
  });
  it('no probes at all, or both sources at once', () => {
    rejects({}, 'probes', /no probes: give probes \(YAML or JSON\) or probes-file/);
    rejects({ probes: '[]' }, 'probes', /non-empty list of probes/);
    rejects({ probes: http(), 'probes-file': 'p.yml' }, 'probes', /either probes or probes-file, not both/);
  });
  it('a probes-file that cannot be read', () => {
    rejects({ 'probes-file': 'missing.yml' }, 'probes-file', /cannot read "missing.yml": ENOENT/);
  });
  it('a bad status, regex or threshold', () => {
    rejects(
      { probes: http('  expect: { status: ok }\n') },
      'probes',
      /field "expect.status": "ok" is not a status/,
    );
    rejects(
      { probes: http('  expect: { body: "([" }\n') },
      'probes',
      /field "expect.body": "\(\[" is not a regular expression we accept \(missing closing ]/,
    );
    rejects(
      {
        probes:
          '- { name: m, type: promql, prometheus: "http://p:9090", query: up, expect: { value: "90" } }',
      },
      'probes',
      /field "expect.value": "90" is not a comparison/,
    );
  });
  it('a TCP port out of range and a boolean that is not one', () => {
    rejects({ probes: '- { name: t, type: tcp, host: h, port: 70000 }' }, 'probes', /field "port"/);
    rejects(
      { probes: http('  tls-verify: nope\n') },
      'probes',
      /field "tls-verify": "nope" is not a boolean/,
    );
  });
});
