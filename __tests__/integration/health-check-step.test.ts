import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProcessRunner } from '../../src/clients/process-runner.ts';
import { systemClock } from '../../src/clients/system-clock.ts';
import { Redactor } from '../../src/redactor.ts';
import { loadTextPatternEngine } from '../../src/schema/text-pattern.ts';
import { parseHealthCheckSettings } from '../../src/settings/health-check.ts';
import { runHealthCheck } from '../../src/steps/health-check.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';
import { startTestService, type TestService } from '../fixtures/test-service.ts';

// Settings are parsed directly here, as the faces parse them after loading the engine.
await loadTextPatternEngine();

describe('runHealthCheck (the step, real servers)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  async function check(probes: string, writes: Record<string, string> = {}) {
    const { logger, lines, masks } = recordingLogger();
    const settings = parseHealthCheckSettings({ probes, count: '1', 'report-file': 'report.json' }, () => '');
    const outcome = await runHealthCheck(settings, {
      logger,
      clock: systemClock,
      runner: new ProcessRunner({ baseEnv: process.env }),
      redactor: new Redactor(logger),
      writeFile: (file, text) => {
        writes[file] = text;
      },
    });
    return { outcome, lines, masks, writes };
  }

  it('masks a URL password and redacts it from logs, report, summary and the report file', async () => {
    const password = 'pw-c0rrect-h0rse';
    const url = service.url.replace('http://', `http://deploy:${password}@`);
    const { outcome, lines, masks, writes } = await check(
      `- { name: echo, type: http, url: "${url}/echo", expect: { body: nope } }`,
    );
    assert.deepEqual(masks, [password]);
    assert.equal(outcome.verdict, 'failed');
    const everything = [
      lines.join('\n'),
      JSON.stringify(outcome.report),
      outcome.summary,
      outcome.text,
      outcome.message,
      writes['report.json'],
    ];
    for (const text of everything) assert.ok(!text!.includes(password), `leaked: ${text}`);
    assert.match(outcome.report.probes[0]!.target, /^GET http:\/\/\*\*\*@127\.0\.0\.1:\d+\/echo$/);
    assert.match(JSON.stringify(outcome.report), /authorization.*Basic \*\*\*|\*\*\*/i);
  });

  it('fail fast aborts a real hanging request: the server sees the client go', async () => {
    const before = service.abandoned.get('/hang') ?? 0;
    const { logger } = recordingLogger();
    const settings = parseHealthCheckSettings(
      {
        probes: `- { name: bad, type: http, url: "${service.url}/failing", initial-delay: 200ms }\n- { name: stuck, type: http, url: "${service.url}/hang", timeout: 60s }`,
      },
      () => '',
    );
    const outcome = await runHealthCheck(settings, {
      logger,
      clock: systemClock,
      runner: new ProcessRunner({ baseEnv: process.env }),
      redactor: new Redactor(logger),
      writeFile: () => {},
    });
    assert.equal(outcome.verdict, 'failed');
    assert.ok(outcome.report.durationMs < 60_000);
    assert.equal(service.hits.get('/hang') !== undefined, true, 'the stuck request was in flight');
    for (let i = 0; i < 50 && (service.abandoned.get('/hang') ?? 0) === before; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(
      service.abandoned.get('/hang'),
      before + 1,
      'the in-flight request was aborted, not left hanging',
    );
  });

  it('logs one line per measurement and one group per probe, and says why it passed', async () => {
    const { outcome, lines } = await check(`- { name: home, type: http, url: "${service.url}/healthy" }`);
    assert.equal(outcome.verdict, 'successful');
    assert.ok(
      lines.some((l) => /^info \[home\] #1 ✓ successful in \d+ ms: status 200$/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^group home: successful \(http GET http:\/\/127\.0\.0\.1:\d+\/healthy\)$/.test(l)),
    );
    assert.ok(
      lines.some((l) => /^info Health check successful: all 1 probe\(s\) healthy in \d+ ms\.$/.test(l)),
    );
  });
});
