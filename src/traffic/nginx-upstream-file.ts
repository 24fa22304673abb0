import { formatHostPort } from '../addresses.ts';
import type { Slot } from '../model/release.ts';

/** One `server` line of the upstream file: its address and the slot its mark names, if any. */
interface ServerLine {
  readonly number: number;
  readonly address: string;
  readonly slot?: string;
}

const SERVER = /^server\s+(\S+?)(?:\s+[^;#]*)?;\s*(?:#\s*deploy-actions slot ([A-Za-z][A-Za-z0-9_-]*))?\s*$/;

/** The line deploy-actions writes for the live slot. */
export function upstreamLine(slot: Slot): string {
  return `server ${formatHostPort(slot)};  # deploy-actions slot ${slot.name}\n`;
}

/**
 * The slot an upstream file sends users to, read strictly: every line is a comment, blank, or a
 * server line; exactly one server line, marked with a slot of `slots` whose address it names,
 * or none at all (an environment before its first release: no slot serves). Anything else (a
 * file edited by hand with both slots, none marked, a mark on another address) does not say one
 * slot: the problem, naming the lines, so nothing is changed on a guess.
 */
export function readUpstreamFile(
  text: string,
  slots: readonly Slot[],
): { slots: readonly string[] } | { problem: string } {
  const servers: ServerLine[] = [];
  const strange: number[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const server = SERVER.exec(line);
    if (server)
      servers.push({ number: index + 1, address: server[1]!, ...(server[2] ? { slot: server[2] } : {}) });
    else strange.push(index + 1);
  }
  const at = (numbers: readonly number[]) => `line${numbers.length > 1 ? 's' : ''} ${numbers.join(', ')}`;
  if (strange.length > 0)
    return {
      problem: `${at(strange)} ${strange.length > 1 ? 'are' : 'is'} not a server line (the file holds the live slot's one server line)`,
    };
  if (servers.length === 0) return { slots: [] };
  if (servers.length !== 1)
    return {
      problem: `it has ${servers.length} server lines (${at(servers.map((s) => s.number))}), not one`,
    };
  const [only] = servers as [ServerLine];
  const slot = slots.find((s) => s.name === only.slot);
  if (!slot)
    return {
      problem: `its server line (line ${only.number}) has no "# deploy-actions slot <name>" mark naming one of the slots`,
    };
  if (only.address !== formatHostPort(slot))
    return {
      problem: `its server line (line ${only.number}) is marked slot ${slot.name} but points at ${only.address}, while slots says ${slot.name} is ${formatHostPort(slot)}`,
    };
  return { slots: [slot.name] };
}
