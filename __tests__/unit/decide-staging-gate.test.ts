import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideStagingGate, type GateFacts, type GateRules } from '../../src/staging/decide-gate.ts';
import type { PullRequestEvent } from '../../src/staging/pr-event.ts';

const HEAD = 'b'.repeat(40);
const OLD = 'a'.repeat(40);
const rules: GateRules = { label: 'deploy-to-staging', minRole: 'write', allowApproval: true };
const event = (action: string, extra: Partial<PullRequestEvent> = {}): PullRequestEvent => ({
  action,
  number: 9,
  headSha: HEAD,
  fork: true,
  readOnly: false,
  author: 'outsider',
  sender: 'outsider',
  labels: [],
  ...extra,
});
const none: GateFacts = { approvals: [] };

describe('the staging gate (pure): who may let a commit meet the secrets', () => {
  const table: [string, PullRequestEvent, GateFacts, GateRules, string][] = [
    ['opened, nothing else', event('opened'), none, rules, 'wait'],
    [
      "a fork's review run (read-only, no secrets) with the head approved",
      event('submitted', { readOnly: true }),
      { approvals: [{ login: 'bob', role: 'write', commitId: HEAD }] },
      rules,
      'wait',
    ],
    [
      'the same approval seen by a pull_request_target run',
      event('reopened'),
      { approvals: [{ login: 'bob', role: 'write', commitId: HEAD }] },
      rules,
      'deploy',
    ],
    [
      'labelled by a writer',
      event('labeled', { label: 'deploy-to-staging', sender: 'bob' }),
      { ...none, labellerRole: 'write' },
      rules,
      'deploy',
    ],
    [
      'labelled by an admin',
      event('labeled', { label: 'deploy-to-staging', sender: 'ann' }),
      { ...none, labellerRole: 'admin' },
      rules,
      'deploy',
    ],
    [
      'labelled by a triager',
      event('labeled', { label: 'deploy-to-staging' }),
      { ...none, labellerRole: 'triage' },
      rules,
      'wait',
    ],
    [
      'a writer, min-permission maintain',
      event('labeled', { label: 'deploy-to-staging' }),
      { ...none, labellerRole: 'write' },
      { ...rules, minRole: 'maintain' },
      'wait',
    ],
    [
      'another label, by an admin',
      event('labeled', { label: 'bug' }),
      { ...none, labellerRole: 'admin' },
      rules,
      'wait',
    ],
    [
      'approval of the head by a maintainer',
      event('synchronize'),
      { approvals: [{ login: 'm', role: 'maintain', commitId: HEAD }] },
      rules,
      'deploy',
    ],
    [
      'approval of an older commit',
      event('synchronize', { labels: ['deploy-to-staging'] }),
      { approvals: [{ login: 'm', role: 'maintain', commitId: OLD }] },
      rules,
      'wait',
    ],
    [
      'approval of the head by a reader',
      event('synchronize'),
      { approvals: [{ login: 'r', role: 'read', commitId: HEAD }] },
      rules,
      'wait',
    ],
    [
      'approval, approvals not allowed',
      event('synchronize'),
      { approvals: [{ login: 'm', role: 'admin', commitId: HEAD }] },
      { ...rules, allowApproval: false },
      'wait',
    ],
    ['closed', event('closed'), none, rules, 'teardown'],
  ];
  for (const [name, pr, facts, given, expected] of table) {
    it(`${name} → ${expected}`, () => {
      assert.equal(decideStagingGate(pr, facts, given).decision, expected);
    });
  }

  it('says what to do next when it waits', () => {
    const stale = decideStagingGate(event('synchronize', { labels: ['deploy-to-staging'] }), none, rules);
    assert.equal(
      stale.reason,
      'bbbbbbb was not reviewed: the label or approval was for an earlier commit; someone with write must add deploy-to-staging again or approve bbbbbbb',
    );
  });
});
