import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGitHubClient } from '../../src/github/github-client.ts';
import { type FakeGitHub, FULL_TOKEN, startFakeGitHub } from '../fixtures/fake-github/server.ts';
import { assertFaithful, runGitHubStep } from '../fixtures/fake-github/steps.ts';
import { recordingLogger } from '../fixtures/recording-logger.ts';

const ISSUES = 'POST /repos/{owner}/{repo}/issues';
const incident = (environment: string, extra: Record<string, string> = {}) => ({
  environment,
  version: 'v2.0.0',
  stage: 'deploy',
  log: 'ansible: UNREACHABLE! web-1',
  ...extra,
});
const postsTo = (fake: FakeGitHub, route: string) => fake.requests.filter((r) => r.route === route).length;

describe("GitHub's faults, met by the one client (retry and throttling plugins)", () => {
  let github: FakeGitHub;
  before(async () => {
    github = await startFakeGitHub({ repos: ['acme/shop'] });
  });
  after(() => github.close());

  it('retries a 500 and succeeds', async () => {
    const posts = postsTo(github, ISSUES);
    github.failNext(ISSUES, { status: 500, body: { message: 'Server Error' } });

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-500') });

    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.action, 'opened');
    assert.equal(postsTo(github, ISSUES) - posts, 2, 'one failed attempt, one retry');
    assertFaithful(github);
  });

  it('waits out a secondary rate limit (403 with retry-after) as GitHub advises', async () => {
    github.failNext('GET /repos/{owner}/{repo}/issues', {
      status: 403,
      headers: { 'retry-after': '1' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      },
    });

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-secondary') });

    assert.equal(step.outputs.action, 'opened', step.log);
    assert.match(step.log, /::warning::GitHub secondary rate limit on GET .*: waiting 1 s as GitHub advises/);
  });

  it('waits until the primary rate limit resets (x-ratelimit-remaining: 0)', async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    github.failNext('GET /repos/{owner}/{repo}/issues', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      body: { message: 'API rate limit exceeded for installation ID 1.' },
    });

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-primary') });

    assert.equal(step.outputs.action, 'opened', step.log);
    assert.match(
      step.log,
      /::warning::GitHub primary rate limit on GET .*: waiting [1-3] s as GitHub advises/,
    );
  });

  it('a 429 asking for an hour: given up at once, one request, no retries fighting the rate limit', async () => {
    const gets = postsTo(github, 'GET /repos/{owner}/{repo}/issues');
    github.failNext('GET /repos/{owner}/{repo}/issues', {
      status: 429,
      headers: { 'retry-after': '3600' },
      body: { message: 'Too many requests' },
    });

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-429') });

    assert.equal(step.outcome, 'failure');
    assert.equal(postsTo(github, 'GET /repos/{owner}/{repo}/issues') - gets, 1, 'asked once');
    assert.match(
      step.log,
      /looking for an open incident: GitHub is rate-limiting this token \(429 Too many requests; it asks to wait 3600 s, longer than the 600 s worth waiting\)/,
    );
  });

  it('a plain 429 Too Many Requests with retry-after: waited out as GitHub advises, then done', async () => {
    const gets = postsTo(github, 'GET /repos/{owner}/{repo}/issues');
    github.failNext('GET /repos/{owner}/{repo}/issues', {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { message: 'Too Many Requests' },
    });

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-429-short') });

    assert.equal(step.outputs.action, 'opened', step.log);
    assert.equal(postsTo(github, 'GET /repos/{owner}/{repo}/issues') - gets, 2, 'asked again after the wait');
    assert.match(
      step.log,
      /::warning::GitHub rate limit \(429 Too Many Requests\) on GET .*: waiting 1 s as GitHub advises/,
    );
  });

  it('a plain 429 in the lock queue of a deploy (backend github): waited out, the deploy goes on', async () => {
    github.repo('acme/shop').runs.set(9429, 'in_progress');
    github.failNext('GET /repos/{owner}/{repo}/deployments', {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { message: 'Too Many Requests' },
    });
    const step = await runGitHubStep(github, 'deploy', {
      env: { GITHUB_RUN_ID: '9429' },
      with: { environment: 'fault-429-queue', version: 'v1', command: 'true', backend: 'github' },
    });
    assert.equal(step.outputs.result, 'deployed', step.log);
    assert.match(step.log, /GitHub rate limit \(429 Too Many Requests\) on GET .*deployments.*: waiting 1 s/);
  });

  it('a 429 that says nothing of when to come back: waited out (at least a minute by default), and said when it stays', async () => {
    const { logger, lines } = recordingLogger();
    const api = createGitHubClient({
      token: FULL_TOKEN,
      baseUrl: github.url,
      logger,
      tooManyFallbackWaitS: 1,
    });
    github.failNext(
      'GET /repos/{owner}/{repo}/issues',
      { status: 429, body: { message: 'Too Many Requests' } },
      3,
    );
    await assert.rejects(
      api.request('GET /repos/{owner}/{repo}/issues', { owner: 'acme', repo: 'shop' }),
      (error: { status?: number }) => error.status === 429,
    );
    assert.equal(
      lines.filter((line) => /waiting 1 s as GitHub advises/.test(line)).length,
      2,
      lines.join('\n'),
    );
  });

  it('a missing repository: a clear error naming it and the token scope; the incident text is kept', async () => {
    const step = await runGitHubStep(github, 'incident-issue', {
      with: incident('fault-404', { repository: 'acme/missing' }),
    });

    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /::error title=The incident could not be filed::incident-issue: looking for an open incident: GitHub answered 404 for repository acme\/missing: it does not exist or the token cannot see it\. Check the repository input; a workflow's GITHUB_TOKEN sees only its own repository, a personal access token needs the repo scope\./,
    );
    assert.match(step.log, /Deploy incident: fault-404 v2\.0\.0 failed at deploy/, 'the text is in the log');
    assert.match(step.summary, /❌ The incident could not be filed/);
    assert.match(step.summary, /ansible: UNREACHABLE! web-1/, 'and in the step summary');
  });

  it('a token without issues: write: a clear error naming the permission', async () => {
    const readOnly = 'ghs_readOnlyToken00000000000000000000';
    github.addToken(readOnly, { issues: 'read', contents: 'read' });

    const step = await runGitHubStep(github, 'incident-issue', {
      with: incident('fault-403'),
      token: readOnly,
    });

    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /the token lacks the issues: write permission on acme\/shop \(GitHub: Resource not accessible by integration; it accepts issues=write\)\. Grant it in the workflow: permissions: \{ issues: write \}/,
    );
    assert.match(step.summary, /Deploy incident: fault-403 v2\.0\.0 failed at deploy/);
    assert.doesNotMatch(step.log, /ghs_readOnlyToken/, 'the token is masked');
  });

  it('GitHub down for good: retried three times, then a clear error with the incident text', async () => {
    const gets = postsTo(github, 'GET /repos/{owner}/{repo}/issues');
    github.failNext(
      'GET /repos/{owner}/{repo}/issues',
      { status: 503, body: { message: 'Service Unavailable' } },
      4,
    );

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-down') });

    assert.equal(step.outcome, 'failure');
    assert.equal(postsTo(github, 'GET /repos/{owner}/{repo}/issues') - gets, 4);
    assert.match(step.log, /GitHub's API did not answer after retries \(503: Service Unavailable\)/);
    assert.match(step.summary, /Deploy incident: fault-down/);
  });

  it('an answer cut short after GitHub opened the issue: the issue is found, not opened twice, and its number is output', async () => {
    github.failNext(ISSUES, { status: 201, raw: '{"id": 1, "number": 7, "html_u', afterDoing: true });

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-truncated') });

    assert.equal(step.outcome, 'success', step.log);
    assert.equal(step.outputs.action, 'opened');
    const opened = github.repo('acme/shop').issues.filter((i) => i.body?.includes('fault-truncated'));
    assert.equal(opened.length, 1, 'one incident issue');
    assert.equal(step.outputs['issue-number'], String(opened[0]!.number));
    assert.doesNotMatch(step.log, /#undefined/);
    assert.match(step.log, /GitHub answered something malformed but had opened incident #\d+: using it/);
  });

  it('HTML with status 200 where a list belongs: a clear error naming the route, no "is not a function"', async () => {
    github.failNext('GET /repos/{owner}/{repo}/issues', {
      status: 200,
      raw: '<html><body>Bad gateway, served by a proxy</body></html>',
      headers: { 'content-type': 'text/html' },
    });

    const step = await runGitHubStep(github, 'incident-issue', { with: incident('fault-html') });

    assert.equal(step.outcome, 'failure');
    assert.match(
      step.log,
      /looking for an open incident: GitHub's answer to GET \/repos\/\{owner\}\/\{repo\}\/issues is not what its API documents \(not JSON: "<html><body>Bad gateway/,
    );
    assert.doesNotMatch(step.log, /is not a function|\[object Object\]|\bat .*\.js:\d+/);
  });

  it('JSON of the wrong shape (an object where deployments belong): says which field was wrong', async () => {
    github.failNext('GET /repos/{owner}/{repo}/deployments', { status: 200, body: { deployments: [] } });
    github.failNext('GET /repos/{owner}/{repo}/issues', { status: 200, body: [{ number: 'seven' }] });
    const { logger } = recordingLogger();
    const api = createGitHubClient({ token: FULL_TOKEN, baseUrl: github.url, logger });
    const where = { owner: 'acme', repo: 'shop' };

    await assert.rejects(api.request('GET /repos/{owner}/{repo}/deployments', where), {
      name: 'GitHubAnswerError',
      message:
        /GET \/repos\/\{owner\}\/\{repo\}\/deployments is not what its API documents \(the answer: expected array, got object\)/,
    });
    await assert.rejects(api.request('GET /repos/{owner}/{repo}/issues', where), {
      message: /\(0\.number: expected number, got string; 0\.html_url: expected string, got nothing\)/,
    });
  });

  it('a request that hangs is cut at the time limit and retried', async () => {
    github.failNext('GET /repos/{owner}/{repo}', { status: 0, hang: true });
    const { logger } = recordingLogger();
    const api = createGitHubClient({ token: FULL_TOKEN, baseUrl: github.url, logger, requestTimeoutMs: 300 });

    const response = await api.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'shop' });

    assert.equal(response.status, 200);
    assert.equal((response.data as { full_name: string }).full_name, 'acme/shop');
    assert.equal(postsTo(github, 'GET /repos/{owner}/{repo}'), 2);
  });
});
