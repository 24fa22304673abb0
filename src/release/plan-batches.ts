import type { HostCount } from '../model/release.ts';

/** What a rolling release knows of the fleet before it changes anything. */
export interface FleetFacts {
  /** Every host of the fleet, in the order given. */
  readonly fleet: readonly string[];
  /** The hosts to release to now (the others already serve the version, verified). */
  readonly todo: readonly string[];
  /** Hosts serving nothing verified now (out of rotation, down): they count against min-healthy until released. */
  readonly unhealthy: ReadonlySet<string>;
  readonly batchSize: HostCount;
  /** Absent: every host but the batch. */
  readonly minHealthy?: HostCount;
}

export type BatchPlan =
  | {
      readonly kind: 'batches';
      readonly batches: readonly (readonly string[])[];
      /** min-healthy in hosts. */
      readonly minHealthy: number;
      /** The fewest hosts serving at any moment of the plan. */
      readonly lowest: number;
    }
  | { readonly kind: 'refuse'; readonly input: 'batch-size' | 'min-healthy'; readonly problem: string };

/**
 * A count of hosts out of `fleet`: a percentage of a batch rounds down (Ansible's serial, at
 * least one host), of min-healthy up (CodeDeploy's minimum healthy hosts).
 */
export function hostsOf(count: HostCount, fleet: number, round: 'up' | 'down'): number {
  if ('count' in count) return count.count;
  const exact = (count.percent * fleet) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * The batches of a rolling release, or why it would break min-healthy (pure; the table in
 * plan-batches.test.ts). Hosts already unhealthy go first: they serve nothing, so taking them out
 * costs nothing, and until released they count against min-healthy. Every moment is checked:
 * while a batch is out, the hosts serving are the fleet less the batch and the unhealthy hosts
 * not yet released.
 */
export function planBatches(facts: FleetFacts): BatchPlan {
  const total = facts.fleet.length;
  const size = Math.min(total, Math.max(1, hostsOf(facts.batchSize, total, 'down')));
  const min = facts.minHealthy ? hostsOf(facts.minHealthy, total, 'up') : total - size;
  if (min > total)
    return {
      kind: 'refuse',
      input: 'min-healthy',
      problem: `asks for ${min} healthy hosts, and the fleet has ${total}`,
    };
  const order = [
    ...facts.todo.filter((host) => facts.unhealthy.has(host)),
    ...facts.todo.filter((host) => !facts.unhealthy.has(host)),
  ];
  const batches: string[][] = [];
  for (let at = 0; at < order.length; at += size) batches.push(order.slice(at, at + size));
  const unreleased = new Set(facts.unhealthy);
  let lowest = total - unreleased.size;
  for (const [at, batch] of batches.entries()) {
    const out = new Set([...unreleased, ...batch]);
    const serving = total - out.size;
    if (serving < min) return refusal(facts, { at, count: batches.length, batch, serving, min, size });
    lowest = Math.min(lowest, serving);
    for (const host of batch) unreleased.delete(host);
  }
  return { kind: 'batches', batches, minHealthy: min, lowest };
}

function refusal(
  facts: FleetFacts,
  moment: { at: number; count: number; batch: readonly string[]; serving: number; min: number; size: number },
): BatchPlan {
  const total = facts.fleet.length;
  const { at, count, batch, serving, min, size } = moment;
  const already = [...facts.unhealthy].filter((host) => !batch.includes(host));
  const where = `batch ${at + 1} of ${count} (${batch.join(', ')}) would leave ${serving} of ${total} hosts serving`;
  if (already.length > 0 && total - size >= min)
    return {
      kind: 'refuse',
      input: 'min-healthy',
      problem: `is ${min}, and ${where}: ${already.join(', ')} ${already.length === 1 ? 'serves' : 'serve'} nothing verified now (out of rotation or down). Bring ${already.length === 1 ? 'it' : 'them'} back, or lower min-healthy`,
    };
  return {
    kind: 'refuse',
    input: 'batch-size',
    problem: `is ${size} host${size === 1 ? '' : 's'}, and ${where} while min-healthy is ${min}: lower batch-size or min-healthy`,
  };
}
