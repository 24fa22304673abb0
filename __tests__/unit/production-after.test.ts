import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FaultFacts, type Production, productionAfter } from '../../src/release/production-after.ts';

/**
 * Where a release that ended badly left production: one row per way it can end, each saying
 * why. Before a blue-green switch users never left the old slot; from the switch on only the
 * proxy knows, so what it is seen serving decides, and an unreadable proxy is "unknown".
 */
const rows: readonly (readonly [string, FaultFacts, Production])[] = [
  [
    'a pre-deploy hook failed: nothing began',
    { phase: 'not-begun', driverRan: false, fault: 'failed' },
    'untouched',
  ],
  [
    'in place, the driver gave up after running',
    { phase: 'driving', driverRan: true, fault: 'failed' },
    'maybe-changed',
  ],
  [
    'in place, refused before any attempt ran',
    { phase: 'driving', driverRan: false, fault: 'failed' },
    'untouched',
  ],
  [
    'in place, cancelled mid-driver: may have stopped the old one',
    { phase: 'driving', driverRan: true, fault: 'interrupted' },
    'live-unverified',
  ],
  [
    'in place, verification failed after the driver',
    { phase: 'live', driverRan: true, fault: 'failed' },
    'live-unverified',
  ],
  [
    'blue-green, the driver failed in the idle slot',
    { phase: 'placing', driverRan: true, fault: 'failed' },
    'untouched',
  ],
  [
    'blue-green, killed while placing',
    { phase: 'placing', driverRan: true, fault: 'interrupted' },
    'untouched',
  ],
  [
    'blue-green, rejected on its slot',
    { phase: 'verifying', driverRan: true, fault: 'rejected' },
    'rejected',
  ],
  [
    'blue-green, cancelled while verifying on the slot',
    { phase: 'verifying', driverRan: true, fault: 'interrupted' },
    'untouched',
  ],
  [
    'blue-green, HAProxy answered late but switched',
    { phase: 'switching', driverRan: true, fault: 'fault', observed: 'new' },
    'live-unverified',
  ],
  [
    'blue-green, the nginx reload failed and the old file is back',
    { phase: 'switching', driverRan: true, fault: 'fault', observed: 'old' },
    'untouched',
  ],
  [
    'blue-green, the switch failed and the proxy cannot be read',
    { phase: 'switching', driverRan: true, fault: 'fault', observed: 'unknown' },
    'unknown',
  ],
  [
    'blue-green, a cancel during the switch command: traffic moved',
    { phase: 'switching', driverRan: true, fault: 'interrupted', observed: 'new' },
    'live-unverified',
  ],
  [
    'blue-green, at the switch with nothing observed: never "nothing happened"',
    { phase: 'switching', driverRan: true, fault: 'fault' },
    'unknown',
  ],
  [
    'blue-green, the public check failed, still served',
    { phase: 'live', driverRan: true, fault: 'failed', observed: 'new' },
    'live-unverified',
  ],
  [
    'blue-green, the proxy restarted onto the old slot before the public check ended',
    { phase: 'live', driverRan: true, fault: 'failed', observed: 'old' },
    'untouched',
  ],
  [
    'blue-green, after the switch the proxy cannot be read',
    { phase: 'live', driverRan: true, fault: 'interrupted', observed: 'unknown' },
    'unknown',
  ],
  [
    'canary, cut short with a share of the traffic, all of it seen back on stable',
    { phase: 'canary', driverRan: true, fault: 'interrupted', observed: 'old' },
    'reverted',
  ],
  [
    'canary, cut short and the proxy unreadable: some users may still reach it',
    { phase: 'canary', driverRan: true, fault: 'interrupted', observed: 'unknown' },
    'unknown',
  ],
  [
    'canary, cut short and its slot seen serving alone',
    { phase: 'canary', driverRan: true, fault: 'fault', observed: 'new' },
    'live-unverified',
  ],
];

describe('productionAfter: where a release that ended badly left users', () => {
  for (const [why, facts, expected] of rows)
    it(`${why} → ${expected}`, () => assert.equal(productionAfter(facts), expected));
});
