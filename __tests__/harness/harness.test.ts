import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRunning } from '../fixtures/test-service.ts';
import { CANCEL_KILL_AFTER_MS, CANCEL_SIGTERM_AFTER_MS, runPostStep, runStep } from './run-action.ts';
import { LogReader, parseCommand, parseFileCommands } from './workflow-commands.ts';

const ACTION = '__tests__/fixtures/contract-action';

describe("runner harness: file commands and workflow commands, parsed with the runner's rules", () => {
  it('reads name=value and heredoc entries', () => {
    const text = 'a=1\nb<<EOF_X\nline 1\nline 2\nEOF_X\nc=x=y\n';
    assert.deepEqual(parseFileCommands(text, 'GITHUB_OUTPUT'), { a: '1', b: 'line 1\nline 2', c: 'x=y' });
  });
  it('rejects a heredoc without its closing delimiter, and a line that is neither form', () => {
    assert.throws(
      () => parseFileCommands('b<<EOF\nvalue\n', 'GITHUB_OUTPUT'),
      /no closing delimiter EOF for b/,
    );
    assert.throws(() => parseFileCommands('just text\n', 'GITHUB_ENV'), /invalid line 1/);
  });
  it('parses commands with escaped properties and data', () => {
    assert.deepEqual(parseCommand('::error file=a%2Cb.ts,title=x%3Ay::line%0Anext%25'), {
      name: 'error',
      properties: { file: 'a,b.ts', title: 'x:y' },
      message: 'line\nnext%',
    });
    assert.equal(parseCommand('not ::a:: command'), undefined);
  });
  it('masks registered secrets in later lines, line by line, and reads no command inside stop-commands', () => {
    const reader = new LogReader();
    reader.read('before hunter2');
    reader.read('::add-mask::hunter2');
    reader.read('after hunter2');
    reader.read('::stop-commands::tok');
    reader.read('::add-mask::visible');
    reader.read('::error::not an error');
    reader.read('::tok::');
    reader.read('::warning::a warning');
    assert.deepEqual(reader.lines, [
      'before hunter2',
      'after ***',
      '::add-mask::visible',
      '::error::not an error',
      '::warning::a warning',
    ]);
    assert.deepEqual(
      reader.commands.map((c) => c.name),
      ['add-mask', 'stop-commands', 'warning'],
    );
  });
});

describe('runner harness: running an action as the runner does', () => {
  it('passes inputs (hyphens kept, defaults evaluated, absent when undeclared default) and reads every file', async () => {
    const step = await runStep(ACTION, {
      expressions: { github: { token: 'ghs_faketoken123' } },
      eventName: 'pull_request',
      event: { pull_request: { number: 42 } },
    });
    assert.equal(step.outcome, 'success');
    assert.deepEqual(step.outputs, { limit: '2', multi: 'line one\nline two', unset: 'false' });
    assert.deepEqual(step.env, { DEPLOYED: 'yes' });
    assert.deepEqual(step.path, ['/opt/tools/bin']);
    assert.equal(step.summary, '### hello\n');
    assert.match(step.state.lock!, /^held-by-\d+$/);
    assert.match(
      step.log,
      /^token is \*\*\*$/m,
      'the default token was masked once the action registered it',
    );
    assert.match(
      step.log,
      new RegExp(`cwd=${step.workspace} workspace=${step.workspace} event=pull_request pr=42`),
    );
    assert.doesNotMatch(
      step.log,
      /only with RUNNER_DEBUG/,
      'debug lines are hidden unless debug logging is on',
    );
    const debug = await runStep(ACTION, { env: { RUNNER_DEBUG: '1' } });
    assert.match(debug.log, /::debug::only with RUNNER_DEBUG/);
  });

  it('runs the post step in a new process with STATE_* from main, also after a failing main', async () => {
    const main = await runStep(ACTION, { with: { mode: 'fail' } });
    assert.equal(main.outcome, 'failure');
    const post = await runPostStep(ACTION, main);
    assert.equal(post.outcome, 'success');
    assert.match(post.log, new RegExp(`post sees lock=${main.state.lock}`));
  });

  it("refuses undeclared with: keys unless the test expects the runner's warning", async () => {
    await assert.rejects(
      runStep(ACTION, { with: { 'failure-limt': '1' } }),
      /undeclared with: keys failure-limt/,
    );
    const step = await runStep(ACTION, { with: { 'failure-limt': '1' }, allowUnexpectedInputs: true });
    assert.match(step.warnings[0]!, /^Unexpected input\(s\) 'failure-limt'/);
  });

  it(`cancels like the runner: SIGINT, SIGTERM after ${CANCEL_SIGTERM_AFTER_MS} ms, then kills the tree ${CANCEL_KILL_AFTER_MS} ms later`, async () => {
    const step = await runStep(ACTION, { with: { mode: 'stubborn' }, cancelWhen: /^ready$/ });
    assert.deepEqual(step.cancelSignals, ['SIGINT', 'SIGTERM', 'SIGKILL']);
    assert.match(step.log, /got SIGINT, ignoring[\s\S]*got SIGTERM, ignoring/);
    assert.ok(
      step.durationMs >= CANCEL_SIGTERM_AFTER_MS + CANCEL_KILL_AFTER_MS,
      `ended after ${step.durationMs} ms`,
    );
    const grandchild = Number(/grandchild=(\d+)/.exec(step.log)?.[1]);
    // SIGKILL is delivered at once, but the process goes only once the kernel (and init, its new
    // parent) are done with it: on a loaded machine that takes a moment.
    for (const deadline = Date.now() + 3000; isRunning(grandchild) && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(isRunning(grandchild), false, 'the tree kill reached the grandchild');
  });
});
