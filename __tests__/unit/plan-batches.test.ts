import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostCount } from '../../src/model/release.ts';
import { planBatches } from '../../src/release/plan-batches.ts';

const FLEET = ['web1', 'web2', 'web3', 'web4'];

/** `1`, `50%`: as the inputs are written. */
const count = (text: string): HostCount =>
  text.endsWith('%') ? { percent: Number(text.slice(0, -1)) } : { count: Number(text) };

interface Case {
  readonly batchSize: string;
  readonly minHealthy: string;
  readonly unhealthy?: readonly string[];
  readonly todo?: readonly string[];
  readonly fleet?: readonly string[];
  /** Batches as `web1,web2 | web3`, and the fewest hosts serving; or the refused input and words of its problem. */
  readonly plan: string;
  readonly because: string;
}

function show(c: Case): string {
  const fleet = c.fleet ?? FLEET;
  const plan = planBatches({
    fleet,
    todo: c.todo ?? fleet,
    unhealthy: new Set(c.unhealthy ?? []),
    batchSize: count(c.batchSize),
    minHealthy: count(c.minHealthy),
  });
  if (plan.kind === 'refuse') return `refuse ${plan.input}: ${plan.problem}`;
  return `${plan.batches.map((batch) => batch.join(',')).join(' | ')} (lowest ${plan.lowest}, min ${plan.minHealthy})`;
}

const CASES: readonly Case[] = [
  {
    batchSize: '1',
    minHealthy: '3',
    plan: 'web1 | web2 | web3 | web4 (lowest 3, min 3)',
    because: 'one at a time',
  },
  {
    batchSize: '50%',
    minHealthy: '50%',
    plan: 'web1,web2 | web3,web4 (lowest 2, min 2)',
    because: 'half at a time, CodeDeploy HalfAtATime',
  },
  {
    batchSize: '2',
    minHealthy: '3',
    plan: 'refuse batch-size: is 2 hosts, and batch 1 of 2 (web1, web2) would leave 2 of 4 hosts serving while min-healthy is 3: lower batch-size or min-healthy',
    because: 'the plan itself breaks min-healthy: refused before anything changes',
  },
  {
    batchSize: '1',
    minHealthy: '75%',
    unhealthy: ['web3'],
    plan: 'web3 | web1 | web2 | web4 (lowest 3, min 3)',
    because: 'a host already out goes first: taking it out costs nothing',
  },
  {
    batchSize: '2',
    minHealthy: '2',
    unhealthy: ['web4'],
    plan: 'web4,web1 | web2,web3 (lowest 2, min 2)',
    because: 'the unhealthy host rides in the first batch',
  },
  {
    batchSize: '1',
    minHealthy: '3',
    unhealthy: ['web2', 'web4'],
    plan: 'refuse min-healthy: is 3, and batch 1 of 4 (web2) would leave 2 of 4 hosts serving: web4 serves nothing verified now (out of rotation or down). Bring it back, or lower min-healthy',
    because: 'a host unhealthy before its turn counts against min-healthy',
  },
  {
    batchSize: '1',
    minHealthy: '3',
    todo: ['web3'],
    plan: 'web3 (lowest 3, min 3)',
    because:
      'hosts that already serve the version verified are left alone (an interrupted release converges)',
  },
  {
    batchSize: '25%',
    minHealthy: '0',
    fleet: ['a', 'b', 'c'],
    plan: 'a | b | c (lowest 2, min 0)',
    because: 'a percentage of a batch rounds down, to at least one host',
  },
  {
    batchSize: '10',
    minHealthy: '0',
    plan: 'web1,web2,web3,web4 (lowest 0, min 0)',
    because: 'a batch larger than the fleet is the fleet, allowed when min-healthy is 0',
  },
  {
    batchSize: '1',
    minHealthy: '34%',
    fleet: ['a', 'b', 'c'],
    plan: 'a | b | c (lowest 2, min 2)',
    because: 'a percentage of min-healthy rounds up (1.02 hosts is 2)',
  },
  {
    batchSize: '1',
    minHealthy: '5',
    plan: 'refuse min-healthy: asks for 5 healthy hosts, and the fleet has 4',
    because: 'more than the fleet can never hold',
  },
  { batchSize: '1', minHealthy: '3', todo: [], plan: ' (lowest 4, min 3)', because: 'nothing to do' },
];

describe('planBatches: the batches of a rolling release, min-healthy held at every moment', () => {
  for (const c of CASES)
    it(`batch-size ${c.batchSize}, min-healthy ${c.minHealthy}${c.unhealthy ? `, ${c.unhealthy.join(' ')} out` : ''}: ${c.because}`, () => {
      assert.equal(show(c), c.plan);
    });
});
