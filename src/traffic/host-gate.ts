import type { HostPort } from '../addresses.ts';

/** A host behind the load balancer: named there as it is in hosts, reached at its address. */
export interface GatedHost {
  readonly name: string;
  readonly address?: HostPort;
}

/** Whether the load balancer sends users to a host now: in rotation and up, out of it, or down. */
export type HostServing = 'serving' | 'out' | 'down';

/**
 * How a rolling release takes a host out of the load balancer and puts it back: HAProxy's
 * runtime API, an nginx upstream file, or a user's command. Every implementation reads back from
 * the balancer itself, so a host the record calls in rotation but the balancer does not is seen.
 */
export interface HostGate {
  /** For logs and messages: `haproxy backend app`. */
  readonly name: string;
  /** Each host, as the balancer says now. */
  states(): Promise<ReadonlyMap<string, HostServing>>;
  /** Out of rotation; resolves once their requests ended (or the drain timeout passed). */
  drain(hosts: readonly string[], signal: AbortSignal): Promise<void>;
  /** Back in rotation. */
  ready(hosts: readonly string[]): Promise<void>;
  /** The command a person runs to see what the balancer does with each host. */
  readonly readCommand: string;
}
