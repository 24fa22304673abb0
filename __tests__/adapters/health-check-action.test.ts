import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isRunning, startTestService, type TestService } from '../fixtures/test-service.ts';
import { runStep } from '../harness/run-action.ts';

const SECRET = 'tok-7f3a9c2e51b84d06';

describe('health-check action, run from dist/ as the GitHub runner runs it', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  const probes = (...entries: string[]) => entries.join('\n');
  const http = (name: string, route: string, extra = '') =>
    `- name: ${name}\n  type: http\n  url: ${service.url}${route}\n${extra}`;

  it('a healthy service: success, outputs, a summary table and a log group per probe', async () => {
    const step = await runStep('health-check', {
      with: {
        probes: probes(
          http(
            'actuator',
            '/actuator/health',
            '  expect: { status: 200, json: { path: $.status, equals: UP } }',
          ),
          http('home', '/healthy'),
          '- { name: pong, type: command, run: "echo PONG", expect: { stdout: "^PONG$" } }',
        ),
        interval: '50ms',
      },
    });
    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.exitCode, 0);
    assert.equal(step.outputs.result, 'successful');
    const report = JSON.parse(step.outputs.report!);
    assert.equal(report.verdict, 'successful');
    assert.deepEqual(
      report.probes.map((p: { name: string; verdict: string; measurements: unknown[] }) => [
        p.name,
        p.verdict,
        p.measurements.length,
      ]),
      [
        ['actuator', 'successful', 3],
        ['home', 'successful', 3],
        ['pong', 'successful', 3],
      ],
    );
    const first = report.probes[0].measurements[0];
    assert.deepEqual(Object.keys(first).sort(), [
      'index',
      'latencyMs',
      'phase',
      'reason',
      'startedAt',
      'value',
    ]);
    assert.match(step.summary, /^### ✅ Health check successful \(3 probes, /);
    assert.match(
      step.summary,
      /\| actuator \| http \| GET http:\/\/127\.0\.0\.1:\d+\/actuator\/health \| ✅ successful \| 3 \| 0 \| 0 \|/,
    );
    const groups = step.commands.filter((c) => c.name === 'group').map((c) => c.message);
    assert.deepEqual(
      groups.map((g) => g.split(':')[0]),
      ['actuator', 'home', 'pong'],
    );
    assert.equal(step.commands.filter((c) => c.name === 'error').length, 0);
  });

  it('an unhealthy service: fails fast, names the probe in an ::error:: annotation', async () => {
    const step = await runStep('health-check', {
      with: {
        probes: probes(http('api', '/failing'), http('home', '/healthy', '  interval: 10s')),
        count: '3',
        interval: '50ms',
      },
    });
    assert.equal(step.outcome, 'failure');
    assert.equal(step.exitCode, 1);
    assert.equal(step.outputs.result, 'failed');
    const report = JSON.parse(step.outputs.report!);
    assert.equal(report.decidedBy, 'api');
    const [api, home] = report.probes;
    assert.deepEqual(
      [api.verdict, api.measurements.length],
      ['failed', 1],
      'decided on the first failed measurement',
    );
    assert.equal(home.verdict, 'stopped', 'the 10 s probe was not waited for');
    assert.ok(home.measurements.length <= 1, 'no measurement of it started after the decision');
    assert.ok(report.durationMs < 10_000);
    const errors = step.commands.filter((c) => c.name === 'error');
    assert.equal(errors.length, 1, 'one annotation, not one per layer');
    assert.ok(
      errors.some(
        (e) =>
          e.properties.title === 'health-check: api failed' &&
          /probe "api" \(http GET .*\/failing\) failed: status 503, expected 2xx \(failed \(1\) > failure-limit \(0\)/.test(
            e.message,
          ),
      ),
      JSON.stringify(errors),
    );
    assert.match(step.summary, /### ❌ Health check failed \(2 probes, .*decided by api\)/);
  });

  it('bad input fails with a message naming the input, never a stack trace', async () => {
    const step = await runStep('health-check', { with: { probes: '- name: x\n  type: ping', count: '3' } });
    assert.equal(step.outcome, 'failure');
    const [error] = step.commands.filter((c) => c.name === 'error');
    assert.equal(
      error!.message,
      'Input "probes": probe 1 ("x"): unknown probe type "ping"; use one of http, tcp, command, promql',
    );
    assert.doesNotMatch(step.log, /\bat .*\.(js|ts):\d+/);
    assert.equal(step.outputs.result, undefined, 'no outputs for a run that never started');
  });

  it('a bearer token in a header is masked in the log and absent from outputs and summary', async () => {
    const step = await runStep('health-check', {
      with: {
        probes: http(
          'echo',
          '/echo',
          `  headers: { Authorization: "Bearer ${SECRET}" }\n  expect: { body: "never-matches" }`,
        ),
        count: '1',
      },
    });
    assert.equal(step.outcome, 'failure', 'the body regex fails, so the echoed body lands in the reason');
    assert.ok(
      step.commands.some((c) => c.name === 'add-mask'),
      'the action registered the secret with the runner',
    );
    for (const [where, text] of Object.entries({
      log: step.log,
      summary: step.summary,
      report: step.outputs.report!,
      env: JSON.stringify(step.env),
      state: JSON.stringify(step.state),
    })) {
      assert.ok(!text.includes(SECRET), `the token leaked into the ${where}`);
    }
    assert.match(step.outputs.report!, /\*\*\*/, 'the echoed header is visibly redacted');
  });

  it('every value given to a probe is secret unless public: a custom header, a query value, a command env and output', async () => {
    const planted = {
      header: 'hdr-5d1e0c7b9a',
      query: 'qry-8b2f4a6c1e',
      env: 'env-3c9a7e1f5b',
      printed: 'out-6e4b2d8f0a',
    };
    const step = await runStep('health-check', {
      with: {
        probes: probes(
          http(
            'echo',
            `/echo?token=${planted.query}&format=json`,
            `  headers: { X-Custom: ${planted.header}, Accept: application/json, X-Team: payments }\n` +
              '  public: [format, X-Team]\n' +
              `  expect: { json: [{ path: "$.headers['x-custom']", matches: . }, { path: "$.headers['x-team']", equals: payments }, { path: $.headers.accept, matches: . }] }`,
          ),
          `- { name: script, type: command, run: "printf 'out-%s\\\\n' ${planted.printed.slice(4)}; echo \\"$KEY\\" >&2; exit 3", env: { KEY: ${planted.env} }, expect: { exit-code: 3 } }`,
        ),
        count: '1',
        'report-file': 'health.json',
      },
    });
    assert.equal(step.outcome, 'success', step.log);
    const reportFile = readFileSync(path.join(step.workspace, 'health.json'), 'utf8');
    for (const [where, text] of Object.entries({
      summary: step.summary,
      report: step.outputs.report!,
      'report-file': reportFile,
    })) {
      for (const [what, secret] of Object.entries(planted))
        assert.ok(!text.includes(secret), `the ${what} value reached the ${where}`);
      assert.match(
        text,
        /echo\?token=\*\*\*(&|&amp;)format=json/,
        `the ${where} shows the target, its query value hidden`,
      );
      assert.match(text, /payments/, `a header declared public stays readable in the ${where}`);
      assert.match(text, /application\/json/, `a standard header stays readable in the ${where}`);
    }
    for (const what of ['header', 'query', 'env'] as const)
      assert.ok(!step.log.includes(planted[what]), `the ${what} value is masked in the log`);
    assert.ok(
      step.commands.filter((c) => c.name === 'add-mask').length >= 3,
      'header, query and env values were registered with the runner as secrets',
    );
    assert.match(step.log, /\[script\] #1 ✓ successful in .*: exited 3/);
    assert.match(step.log, /\[echo\] #1 ✓ successful in .*x-custom'\] = "\*\*\*"/);
    assert.match(
      step.log,
      new RegExp(`^\\s+${planted.printed}$`, 'm'),
      'what the command printed is in the log',
    );
  });

  it('a catastrophic regex against a 1 MiB body cannot hang the check: matched in linear time, judged, done', async () => {
    const step = await runStep('health-check', {
      with: {
        probes: http('big', '/repeat', "  expect: { body: '^(x+x+)+y$' }"),
        count: '1',
        timeout: '2s',
      },
      hardTimeoutMs: 20_000,
    });
    assert.equal(step.outcome, 'failure');
    assert.deepEqual(step.cancelSignals, [], 'it ended by itself');
    assert.match(step.log, /\[big\] #1 ✗ failed in .*: body "x{120}…" does not match \/\^\(x\+x\+\)\+y\$\//);
  });

  it('a look-ahead is bad input naming the field and the syntax accepted (RE2)', async () => {
    const step = await runStep('health-check', {
      with: { probes: http('api', '/healthy', "  expect: { body: '(?=UP)' }"), count: '1' },
    });
    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /Input "probes": probe 1 \("api"\), field "expect\.body": "\(\?=UP\)" is not a regular expression we accept .*RE2's: JavaScript's without look-around or back-references/,
    );
  });

  it('output from a probed command cannot run workflow commands', async () => {
    const step = await runStep('health-check', {
      with: {
        probes:
          "- { name: evil, type: command, run: \"echo '::error::injected'; echo '::add-mask::PONG'; exit 1\" }",
        count: '1',
      },
    });
    assert.equal(step.outcome, 'failure');
    assert.ok(
      !step.commands.some((c) => c.message === 'injected'),
      'the command output raised an annotation',
    );
    assert.ok(!step.commands.some((c) => c.name === 'add-mask'), 'the command output registered a mask');
    assert.match(step.log, /::error::injected/, 'the text is still shown, as text');
  });

  it('2,000 healthy endpoints: the summary counts them (their measurements are in the report), far under 1 MiB, no warning', async () => {
    const many = Array.from(
      { length: 2000 },
      (_, i) => `- { name: endpoint-${i}, type: http, url: "${service.url}/healthy" }`,
    );
    // A file: 2,000 probes are more than one environment variable (INPUT_PROBES) may hold.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'many-')), 'probes.yml');
    writeFileSync(file, many.join('\n'));
    const step = await runStep('health-check', {
      with: { 'probes-file': file, count: '3', interval: '10ms' },
    });
    assert.equal(step.outcome, 'success', step.log.slice(-2000));
    const size = Buffer.byteLength(step.summary);
    assert.ok(size < 4096, `summary of ${size} bytes`);
    assert.match(step.summary, /^### ✅ Health check successful \(2000 probes, /);
    assert.match(
      step.summary,
      /✅ 2000 more probes successful: their measurements are in the `report` output\./,
    );
    assert.equal(JSON.parse(step.outputs.report!).probes.length, 2000);
    // Node's warning of a listener leak once held one listener per probe on one signal.
    assert.deepEqual(step.log.match(/.*Warning.*/g) ?? [], []);
  });

  it('probes near the 128 KiB one environment variable may hold: done, with a warning to use probes-file', async () => {
    // Past 128 KiB the runner cannot start node at all (E2BIG): the warning must come before.
    const padded = `# ${'x'.repeat(110 * 1024)}\n${http('home', '/healthy')}`;
    const step = await runStep('health-check', { with: { probes: padded, count: '1' } });
    assert.equal(step.outcome, 'success', step.log.slice(-2000));
    assert.match(
      step.log,
      /::warning::Input "probes" is 11\d KiB: Linux passes at most 128 KiB in one environment variable, and past that the step cannot start at all \("Argument list too long"\)\. Before it grows: put it in a file and give probes-file instead\./,
    );
  });

  it('writes report-file into the workspace', async () => {
    const step = await runStep('health-check', {
      with: { probes: http('home', '/healthy'), count: '1', 'report-file': 'health.json' },
    });
    assert.equal(step.outcome, 'success');
    const file = path.join(step.workspace, 'health.json');
    assert.ok(existsSync(file));
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).verdict, 'successful');
  });

  it('refuses a report-file outside the workspace before probing, naming the input', async () => {
    const outside = `../outside-${process.pid}.json`;
    const step = await runStep('health-check', {
      with: { probes: http('home', '/healthy'), count: '1', 'report-file': outside },
    });
    assert.equal(step.outcome, 'failure');
    assert.match(step.log, /Input "report-file": ".*outside-\d+\.json" is outside the workspace/);
    assert.equal(existsSync(path.resolve(step.workspace, outside)), false);
    assert.doesNotMatch(step.log, /\[home\] #1/, 'nothing was probed');
  });

  it('a report-file through a symlink planted in the workspace (a file or a directory) is refused, nothing written outside', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'outside-'));
    const victim = path.join(outside, 'victim.json');
    writeFileSync(victim, 'precious');
    for (const [name, plant] of [
      ['report.json', (workspace: string) => symlinkSync(victim, path.join(workspace, 'report.json'))],
      ['out/report.json', (workspace: string) => symlinkSync(outside, path.join(workspace, 'out'))],
    ] as const) {
      const workspace = mkdtempSync(path.join(tmpdir(), 'workspace-'));
      plant(workspace);
      const step = await runStep('health-check', {
        workspace,
        with: { probes: http('home', '/healthy'), count: '1', 'report-file': name },
      });
      assert.equal(step.outcome, 'failure', step.log);
      assert.match(step.log, /Input "report-file": .*(is a symbolic link|is outside the workspace)/);
      assert.equal(readFileSync(victim, 'utf8'), 'precious');
      assert.equal(existsSync(path.join(outside, 'report.json')), false);
    }
  });

  it('on cancel (SIGINT) stops at once, kills probe commands, and fails the step', async () => {
    const pidFile = 'grandchild.pid';
    const step = await runStep('health-check', {
      with: {
        probes: probes(
          http('home', '/healthy', '  interval: 1s\n  count: 30\n  failure-limit: 0'),
          `- { name: slow, type: command, run: "sleep 60 & echo $! > ${pidFile}; wait", timeout: 120s }`,
        ),
      },
      // Once the command's child is known to run: its pid is written.
      cancelWhen: { file: pidFile },
    });
    assert.equal(step.outcome, 'cancelled');
    assert.deepEqual(
      step.cancelSignals,
      ['SIGINT'],
      'the action stopped before the runner had to send SIGTERM',
    );
    assert.notEqual(step.exitCode, 0);
    assert.match(
      step.log,
      /health-check: cancelled by SIGINT: the health check stopped; its requests and commands were aborted and nothing is left running\./,
    );
    const pid = Number(readFileSync(path.join(step.workspace, pidFile), 'utf8'));
    assert.equal(isRunning(pid), false, "the probe command's child survived the cancel");
  });
});
