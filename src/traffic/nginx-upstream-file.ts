import { formatHostPort } from '../addresses.ts';
import type { Slot } from '../model/release.ts';

/** One `server` line of the upstream file: its address, weight, and the slot its mark names. */
interface ServerLine {
  readonly number: number;
  readonly address: string;
  /** nginx's weight (1 when not said); 0 when the line says `down`. */
  readonly weight: number;
  /** The line says its weight (or down): one side of a canary's split, as deploy-actions writes it. */
  readonly weighted: boolean;
  readonly slot?: string;
}

const SERVER =
  /^server\s+(\S+?)((?:\s+(?:weight=\d{1,3}|down))*)\s*;\s*(?:#\s*deploy-actions slot ([A-Za-z][A-Za-z0-9_-]*))?\s*$/;

/** The line deploy-actions writes for the live slot (with a weight: one side of a canary's split). */
export function upstreamLine(slot: Slot, weight?: number): string {
  const weighted = weight === undefined ? '' : ` weight=${weight}`;
  return `server ${formatHostPort(slot)}${weighted};  # deploy-actions slot ${slot.name}\n`;
}

/**
 * A canary's split: `percent` to `canary`, the rest to `stable`, as weighted lines (nginx has no
 * weight 0: at 0 only the stable line is left, at 100 only the canary's).
 */
export function splitLines(canary: Slot, stable: Slot, percent: number): string {
  if (percent === 0) return upstreamLine(stable);
  if (percent === 100) return upstreamLine(canary);
  return upstreamLine(stable, 100 - percent) + upstreamLine(canary, percent);
}

export interface UpstreamRead {
  /** The slots receiving new traffic. */
  readonly slots: readonly string[];
  /** Each slot's share of new traffic, in percent. */
  readonly shares: Readonly<Record<string, number>>;
}

/**
 * The slots an upstream file sends users to, read strictly: every line is a comment, blank, or a
 * server line; one server line, or one per slot (a canary's weighted split), each marked with a
 * slot of `slots` whose address it names; or none at all (an environment before its first
 * release). Anything else (a file edited by hand, a line unmarked, a mark on another address)
 * does not say which slots serve: the problem, naming the lines, so nothing is changed on a guess.
 */
export function readUpstreamFile(text: string, slots: readonly Slot[]): UpstreamRead | { problem: string } {
  const servers: ServerLine[] = [];
  const strange: number[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const server = SERVER.exec(line);
    if (server) servers.push(serverLine(index + 1, server));
    else strange.push(index + 1);
  }
  const at = (numbers: readonly number[]) => `line${numbers.length > 1 ? 's' : ''} ${numbers.join(', ')}`;
  if (strange.length > 0)
    return {
      problem: `${at(strange)} ${strange.length > 1 ? 'are' : 'is'} not a server line (the file holds the live slot's server line, or a canary's two)`,
    };
  if (servers.length === 0) return { slots: [], shares: {} };
  // More than one line is a canary's split only as deploy-actions writes it: each with its weight.
  if (servers.length > slots.length || (servers.length > 1 && servers.some((line) => !line.weighted)))
    return {
      problem: `it has ${servers.length} server lines (${at(servers.map((s) => s.number))}), not one (a canary's split gives each slot's line a weight)`,
    };
  for (const line of servers) {
    const slot = slots.find((s) => s.name === line.slot);
    if (!slot)
      return {
        problem: `its server line (line ${line.number}) has no "# deploy-actions slot <name>" mark naming one of the slots`,
      };
    if (line.address !== formatHostPort(slot))
      return {
        problem: `its server line (line ${line.number}) is marked slot ${slot.name} but points at ${line.address}, while slots says ${slot.name} is ${formatHostPort(slot)}`,
      };
  }
  if (new Set(servers.map((line) => line.slot)).size !== servers.length)
    return {
      problem: `two server lines (${at(servers.map((s) => s.number))}) are marked with the same slot`,
    };
  const total = servers.reduce((sum, line) => sum + line.weight, 0);
  const shares = Object.fromEntries(
    servers.map((line) => [line.slot!, total === 0 ? 0 : Math.round((100 * line.weight) / total)]),
  );
  return { slots: servers.filter((line) => line.weight > 0).map((line) => line.slot!), shares };
}

function serverLine(number: number, match: RegExpExecArray): ServerLine {
  const params = match[2] ?? '';
  const weight = /\bdown\b/.test(params) ? 0 : Number(/weight=(\d+)/.exec(params)?.[1] ?? 1);
  const weighted = /\b(down|weight=\d+)\b/.test(params);
  return { number, address: match[1]!, weight, weighted, ...(match[3] ? { slot: match[3] } : {}) };
}
