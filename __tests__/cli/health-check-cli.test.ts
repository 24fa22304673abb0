import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isRunning, startTestService, type TestService } from '../fixtures/test-service.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'index.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would; `interruptOnceExists` sends SIGINT (Ctrl-C) once that file
 * exists (a file the probe writes once it runs: the log says "1 probe" before its command starts).
 */
function cli(args: string[], options: { cwd?: string; interruptOnceExists?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH },
    });
    const run: CliRun = { code: null, stdout: '', stderr: '' };
    let interrupted = false;
    const watch = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      run[stream] += chunk.toString();
    };
    child.stdout.on('data', watch('stdout'));
    child.stderr.on('data', watch('stderr'));
    const file = options.interruptOnceExists;
    const poll = setInterval(() => {
      if (!file || interrupted || !existsSync(file)) return;
      interrupted = true;
      child.kill('SIGINT');
    }, 10);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ ...run, code });
    });
  });
}

describe('CLI: deploy-actions health-check', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService();
  });
  after(() => service.close());

  it('probes near the 128 KiB one argument may hold: done, with a warning to use probes-file before it breaks', async () => {
    // A comment pads the list to 110 KiB; past 128 KiB no shell could start the CLI at all.
    const probes = `# ${'x'.repeat(110 * 1024)}\n- { name: home, type: http, url: "${service.url}/healthy" }`;
    const run = await cli(['health-check', '--probes', probes, '--count', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout + run.stderr,
      /Input "probes" is 11\d KiB: Linux passes at most 128 KiB in one argument, and past that the step cannot start at all \("Argument list too long"\)\. Before it grows: put it in a file and give probes-file instead\./,
    );
  });

  it('--help lists the commands; each command documents its flags (the action inputs)', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: deploy-actions <command>[\s\S]*health-check/);
    const command = await cli(['health-check', '--help']);
    assert.equal(command.code, 0);
    assert.match(command.stdout, /--failure-limit\s+Failed measurements a probe tolerates.*\(default: 0\)/);
  });

  it('exits 2 on no command, an unknown command or an unknown flag', async () => {
    assert.equal((await cli([])).code, 2);
    const unknown = await cli(['deploy-everything']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command "deploy-everything"/);
    const flag = await cli(['health-check', '--probes-fil', 'x.yml']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /error: Unknown option '--probes-fil'/);
  });

  it('exits 2 with the input named on bad input', async () => {
    const run = await cli([
      'health-check',
      `--probes=- { name: a, type: http, url: "${service.url}/" }`,
      '--count=-1',
    ]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), 'error: --count: "-1" is not a whole number ≥ 1, or unbounded');
  });

  it('exits 0 for a healthy service and 1 for an unhealthy one, with a readable verdict', async () => {
    const healthy = await cli([
      'health-check',
      `--probes=- { name: home, type: http, url: "${service.url}/healthy" }`,
      '--interval',
      '50ms',
    ]);
    assert.equal(healthy.code, 0, healthy.stderr);
    assert.match(healthy.stdout, /✅ health check successful in/);
    const unhealthy = await cli([
      'health-check',
      `--probes=- { name: api, type: http, url: "${service.url}/failing" }`,
    ]);
    assert.equal(unhealthy.code, 1);
    assert.match(
      unhealthy.stderr,
      /error: Health check failed after .*probe "api" .*status 503, expected 2xx/,
    );
    assert.match(unhealthy.stdout, /❌ health check failed in .*, decided by api/);
  });

  it("an option takes the next argument as its value whatever it begins with: --failure-limit -1, --probes '- { … }'", async () => {
    const run = await cli([
      'health-check',
      '--probes',
      `- { name: home, type: http, url: "${service.url}/healthy" }`,
      '--failure-limit',
      '-1',
      '--consecutive-successes',
      '2',
      '--count',
      '3',
      '--interval',
      '50ms',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /✅ health check successful in/);
    assert.doesNotMatch(run.stderr, /ambiguous/);
  });

  it('--json prints the report alone on stdout; report-file writes it relative to the working directory', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'cli-'));
    const run = await cli(
      [
        'health-check',
        `--probes=- { name: home, type: http, url: "${service.url}/healthy" }`,
        '--count',
        '1',
        '--json',
        '--report-file',
        'r.json',
      ],
      { cwd },
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verdict, 'successful');
    assert.deepEqual(JSON.parse(readFileSync(path.join(cwd, 'r.json'), 'utf8')), report);
  });

  it('reads --probes-file relative to the working directory', async () => {
    const run = await cli([
      'health-check',
      '--probes-file',
      'examples/health-probes.yml',
      '--count',
      '1',
      '--timeout',
      '200ms',
    ]);
    assert.equal(run.code, 1, 'nothing listens on the example ports here, so the check errs');
    assert.match(run.stdout, /⚠️ health check error/);
  });

  it('masks credentials in everything it prints', async () => {
    const token = 'cli-secret-9b1f2e7d';
    const run = await cli([
      'health-check',
      `--probes=- { name: echo, type: http, url: "${service.url}/echo", headers: { X-Api-Key: "${token}" }, expect: { body: nope } }`,
      '--count',
      '1',
      '--json',
    ]);
    assert.equal(run.code, 1);
    assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), 'the key leaked');
    assert.match(run.stdout, /\*\*\*/);
  });

  it('Ctrl-C exits 130 and leaves no probe process behind', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'cli-'));
    const run = await cli(
      [
        'health-check',
        '--probes=- { name: slow, type: command, run: "sleep 60 & echo $! > child.pid; wait", timeout: 2m }',
      ],
      // Once the probe's command runs: interrupted before it wrote its pid, there is nothing to prove.
      { cwd, interruptOnceExists: path.join(cwd, 'child.pid') },
    );
    assert.equal(run.code, 130);
    assert.match(
      run.stderr,
      /interrupted by SIGINT: the health check stopped; its requests and commands were aborted and nothing is left running/,
    );
    const pid = Number(readFileSync(path.join(cwd, 'child.pid'), 'utf8'));
    assert.equal(isRunning(pid), false);
  });
});
