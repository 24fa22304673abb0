import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Slot } from '../../src/model/release.ts';
import type { EnvironmentState, ReleaseRecord } from '../../src/ports.ts';
import { chooseSlots, type SlotFacts } from '../../src/release/choose-slots.ts';

const blue: Slot = { name: 'blue', host: '127.0.0.1', port: 8081 };
const green: Slot = { name: 'green', host: '127.0.0.1', port: 8082 };
const at = '2026-12-05T10:00:00.000Z';
const release = (
  version: string,
  slot: string,
  status: ReleaseRecord['status'],
  more: Partial<ReleaseRecord> = {},
) => ({
  version,
  slot,
  status,
  startedAt: at,
  ...more,
});
/** v1 verified in green, then v2 verified in blue: users on blue (v2), green warm with v1. */
const v2InBlue: EnvironmentState = {
  environment: 'production',
  current: 'v2',
  previous: 'v1',
  releases: [release('v1', 'green', 'good'), release('v2', 'blue', 'good')],
};
const facts = (more: Partial<SlotFacts>): SlotFacts => ({
  slots: [blue, green],
  record: v2InBlue,
  version: 'v3',
  proxyServes: ['blue'],
  answers: { blue: true, green: true },
  ...more,
});
/** The plan in one line: its kind and slots, or its refusal. */
const summary = (f: SlotFacts) => {
  const plan = chooseSlots(f);
  return plan.kind === 'refuse'
    ? `refuse: ${plan.problem}`
    : `${plan.kind} ${plan.from.name}→${plan.idle.name}`;
};

describe('chooseSlots: blue-green chooses on what it observed', () => {
  it('a new version goes into the slot users do not reach', () => {
    assert.equal(summary(facts({})), 'deploy blue→green');
  });
  it('a rollback to the warm, verified, answering version: switched back first', () => {
    assert.equal(summary(facts({ version: 'v1' })), 'switch-first blue→green');
  });
  it('the warm slot died (its process gone): deployed again, verified before traffic, and said why', () => {
    const plan = chooseSlots(facts({ version: 'v1', answers: { blue: true, green: false } }));
    assert.equal(plan.kind, 'deploy');
    assert.match(
      plan.kind === 'deploy' ? (plan.note ?? '') : '',
      /green was recorded running v1 but does not answer/,
    );
  });
  it('a warm slot that was stopped (scale-down) is deployed again', () => {
    const stopped = {
      ...v2InBlue,
      releases: [release('v1', 'green', 'good', { stopped: true }), v2InBlue.releases[1]!],
    };
    assert.equal(summary(facts({ version: 'v1', record: stopped })), 'deploy blue→green');
  });
  it('a warm version that failed its public check is verified on its slot before it gets traffic again', () => {
    const failedThere = { ...v2InBlue, releases: [release('v1', 'green', 'failed'), v2InBlue.releases[1]!] };
    assert.equal(summary(facts({ version: 'v1', record: failedThere })), 'verify-then-switch blue→green');
  });
  it('an interrupted release in the idle slot is not warm: deployed again', () => {
    const cut = { ...v2InBlue, releases: [release('v1', 'green', 'interrupted'), v2InBlue.releases[1]!] };
    assert.equal(summary(facts({ version: 'v1', record: cut })), 'deploy blue→green');
  });
  it('the proxy serves both slots, or none while a version is live: refused', () => {
    assert.match(
      summary(facts({ proxyServes: ['blue', 'green'] })),
      /^refuse: sends traffic to blue and green, not one/,
    );
    assert.match(summary(facts({ proxyServes: [] })), /^refuse: sends traffic to no slot, not one/);
  });
  it('the first release (nothing ever live, the proxy serves no slot): into the first slot, said plainly', () => {
    const empty: EnvironmentState = { environment: 'production', releases: [] };
    const plan = chooseSlots(facts({ record: empty, version: 'v1', proxyServes: [], answers: {} }));
    assert.equal(plan.kind === 'refuse' ? plan.problem : `${plan.kind} →${plan.idle.name}`, 'deploy →blue');
    assert.equal(plan.kind !== 'refuse' && plan.bootstrap, true);
    assert.match(
      plan.kind === 'refuse' ? '' : (plan.note ?? ''),
      /^first release of production: nothing was live and the proxy serves no slot, so v1 goes into slot blue, is verified there, then gets traffic/,
    );
    // Releases that never reached users leave it a first release.
    const rejectedOnly: EnvironmentState = {
      environment: 'production',
      releases: [release('v1', 'blue', 'bad', { neverLive: true })],
    };
    assert.equal(
      summary(facts({ record: rejectedOnly, version: 'v2', proxyServes: [] })),
      'deploy green→blue',
    );
  });
  it('the proxy serves the slot of another version than the record says is live (switched by hand): refused', () => {
    assert.match(
      summary(facts({ proxyServes: ['green'] })),
      /^refuse: serves slot green, which last ran v1, but the record says v2 is live/,
    );
  });
  it('after a switch whose outcome could not be read, the proxy is the truth: the release starts from what it serves', () => {
    const unknown: EnvironmentState = {
      ...v2InBlue,
      releases: [...v2InBlue.releases, release('v3', 'green', 'failed', { phase: 'switching' })],
    };
    const plan = chooseSlots(facts({ version: 'v4', record: unknown, proxyServes: ['blue'] }));
    assert.equal(
      plan.kind === 'refuse' ? plan.problem : `${plan.kind} ${plan.from.name}→${plan.idle.name}`,
      'deploy blue→green',
    );
    assert.match(
      plan.kind === 'deploy' ? (plan.note ?? '') : '',
      /could not be read back.*serves slot blue \(v2\)/,
    );
  });
  it('a release that never reached users says nothing of what they reach', () => {
    const rejected: EnvironmentState = {
      ...v2InBlue,
      releases: [...v2InBlue.releases, release('v3', 'green', 'bad', { neverLive: true })],
    };
    assert.equal(summary(facts({ version: 'v4', record: rejected })), 'deploy blue→green');
  });
});

describe('chooseSlots with promotion: manual', () => {
  /** v3 verified on green and paused there; users on blue (v2). */
  const paused: EnvironmentState = {
    ...v2InBlue,
    releases: [...v2InBlue.releases, release('v3', 'green', 'paused', { neverLive: true })],
  };
  const promoting = (more: Partial<SlotFacts> = {}) =>
    facts({ record: paused, promotion: 'promote', ...more });
  const refusal = (f: SlotFacts) => {
    const plan = chooseSlots(f);
    return plan.kind === 'refuse' ? `${plan.problem} | ${plan.remedy}` : plan.kind;
  };

  it('a deploy that waits for promotion never switches first, even to a warm version verified good', () => {
    assert.equal(summary(facts({ version: 'v1', promotion: 'pause' })), 'verify-then-switch blue→green');
  });
  it('a deploy of the version that waits is checked on its slot again, and waits again', () => {
    assert.equal(summary(facts({ record: paused, promotion: 'pause' })), 'verify-then-switch blue→green');
  });
  it('promote: the paused slot, checked again, then switched to', () => {
    assert.equal(summary(promoting()), 'verify-then-switch blue→green');
  });
  it('promote refuses, changing nothing, what it observes has changed', () => {
    assert.match(
      refusal(promoting({ answers: { blue: true, green: false } })),
      /^serves slot blue, and slot green, where v3 waits for promotion, no longer answers \| deploy v3 again/,
    );
    assert.match(
      refusal(promoting({ proxyServes: ['green'] })),
      /^already sends traffic to slot green, where v3 waits for promotion \(it was switched outside deploy-actions\)/,
    );
    assert.match(refusal(promoting({ record: v2InBlue })), /no release waits for promotion/);
    assert.match(refusal(promoting({ proxyServes: [] })), /^sends traffic to no slot, not one/);
  });
  it('a release stopped since it paused (abort, scale-down) waits for nothing', () => {
    const stopped = {
      ...paused,
      releases: [...v2InBlue.releases, release('v3', 'green', 'paused', { stopped: true, neverLive: true })],
    };
    assert.match(refusal(promoting({ record: stopped })), /no release waits for promotion/);
  });
});
