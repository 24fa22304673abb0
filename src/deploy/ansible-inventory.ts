import { parseHostPort } from '../addresses.ts';
import { isHostName } from '../model/host-name.ts';
import type { CommandRunner } from '../ports.ts';
import type { DriverHost } from './driver.ts';
import { howItEnded } from './driver.ts';

/** What `ansible-inventory --list` prints: groups with hosts and children, and each host's vars. */
interface InventoryList {
  readonly _meta?: { readonly hostvars?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  readonly [group: string]: unknown;
}

/**
 * The hosts of an ansible inventory, as ansible itself reads it (`ansible-inventory --list`: INI,
 * YAML, plugins and dynamic inventories alike), in the order its groups list them from `all`.
 * A host's `deploy_address` var (host:port) is where the balancer and the probes reach it.
 */
export async function readInventoryHosts(
  runner: CommandRunner,
  inventory: string,
  signal: AbortSignal,
): Promise<readonly DriverHost[]> {
  const result = await runner.run({
    argv: ['ansible-inventory', '-i', inventory, '--list'],
    env: { ANSIBLE_NOCOLOR: '1' },
    timeoutMs: 60_000,
    signal,
  });
  if (result.exitCode !== 0)
    throw new Error(
      `\`ansible-inventory -i ${inventory} --list\` ${howItEnded(result, 60_000)}: the hosts of the inventory could not be read`,
    );
  let list: InventoryList;
  try {
    list = JSON.parse(result.stdout) as InventoryList;
  } catch {
    throw new Error(`\`ansible-inventory -i ${inventory} --list\` printed something that is not JSON`);
  }
  return hostsOf(list, inventory);
}

/** The hosts in the order the groups list them, walking children from `all`; each once. */
export function hostsOf(list: InventoryList, inventory: string): readonly DriverHost[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (group: string, path: readonly string[]) => {
    if (path.includes(group)) return;
    const entry = list[group] as { hosts?: unknown; children?: unknown } | undefined;
    for (const host of Array.isArray(entry?.hosts) ? entry.hosts : [])
      if (typeof host === 'string' && !seen.has(host)) {
        seen.add(host);
        names.push(host);
      }
    for (const child of Array.isArray(entry?.children) ? entry.children : [])
      if (typeof child === 'string') walk(child, [...path, group]);
  };
  walk('all', []);
  if (names.length === 0) throw new Error(`the inventory ${inventory} has no hosts`);
  return names.map((name): DriverHost => {
    if (!isHostName(name))
      throw new Error(
        `the inventory ${inventory} names a host "${name}" that is not a plain host name (letters, digits, _ . -): rolling batches pass host names to --limit`,
      );
    const vars = list._meta?.hostvars?.[name] ?? {};
    const declared = vars.deploy_address;
    if (declared === undefined) return { name };
    const address = parseHostPort(String(declared));
    if (!address)
      throw new Error(
        `the inventory ${inventory}: ${name}'s deploy_address "${String(declared)}" is not host:port`,
      );
    return { name, address };
  });
}
