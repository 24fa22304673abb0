import type { DeployDriver, DriverHost } from '../deploy/driver.ts';
import type { VerifyHost } from '../deploy/drivers/hosts-driver.ts';
import type { Fleet } from '../deploy/fleet.ts';
import type { AttemptRecord, RetryPolicy } from '../deploy/retry.ts';
import type { Logger } from '../ports.ts';
import type { HostGate } from '../traffic/host-gate.ts';
import { drive } from './drive.ts';
import { interruption } from './release-ending.ts';
import type { GoLiveRequest } from './strategy.ts';

/** What a rolling release works with: the hosts and their drivers, the load balancer, the checks. */
export interface RollParts {
  readonly fleet: Fleet;
  readonly gate: HostGate;
  readonly verifyHost: VerifyHost;
  readonly retry: RetryPolicy & { readonly attemptTimeoutMs: number };
  readonly logger: Logger;
  /** Epoch milliseconds, for the batches' timeline. */
  readonly now: () => number;
}

/** One host's part of a batch: back in rotation with the version, verified; or left out, with why. */
export interface HostOutcome {
  readonly host: string;
  readonly ok: boolean;
  readonly reason?: string;
  /** The version ran and failed the host's probes (not the driver failing). */
  readonly rejected?: boolean;
  readonly attempts: readonly AttemptRecord[];
}

export type BatchRequest = Pick<GoLiveRequest, 'environment' | 'signal' | 'host'> & {
  readonly version: string;
  readonly previous?: string;
};

/**
 * One batch: its hosts recorded out, then taken out of the load balancer (their requests
 * finished), the version deployed on each in parallel, each verified on its own address and put
 * back the moment it is. A host that fails stays out of rotation. Throws when interrupted, once
 * every host of the batch stopped: those verified by then are back in rotation.
 */
export async function rollBatch(
  parts: RollParts,
  request: BatchRequest,
  batch: readonly DriverHost[],
): Promise<readonly HostOutcome[]> {
  const names = batch.map((host) => host.name);
  for (const name of names) await request.host(name, { inRotation: false });
  const drained = await parts.gate.drain(names, request.signal).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (request.signal.aborted) {
    // Cancelled before any host of the batch was changed: each serves what it served, so back it goes.
    await parts.gate.ready(names);
    for (const name of names) await request.host(name, { inRotation: true });
    throw interruption(request.signal);
  }
  if (drained) throw drained;
  const batchDriver = parts.fleet.batchDriver;
  const settled = batchDriver
    ? await rollAtOnce(parts, request, batch, batchDriver)
    : await Promise.allSettled(batch.map((host) => rollHost(parts, request, host)));
  const thrown = settled.find((result) => result.status === 'rejected');
  if (thrown) throw thrown.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<HostOutcome>).value);
}

/**
 * The batch in one run of a driver that reaches every host itself (ansible-playbook --limit),
 * then each host checked on its own. A run that failed vouches for none of them.
 */
async function rollAtOnce(
  parts: RollParts,
  request: BatchRequest,
  batch: readonly DriverHost[],
  driver: DeployDriver,
): Promise<PromiseSettledResult<HostOutcome>[]> {
  const limit = batch.map((host) => host.name);
  parts.logger.info(
    `On ${limit.join(', ')}: ${request.version} (${driver.name}, --limit ${limit.join(',')})`,
  );
  const driven = await drive(driver, parts.retry, parts.logger, { ...driveRequest(request), limit });
  return Promise.allSettled(
    batch.map(async (host, at) => {
      const attempts = at === 0 ? driven.attempts : [];
      if (driven.ok) return checkHost(parts, request, host, attempts);
      await request.host(host.name, { verified: false });
      return { host: host.name, ok: false, reason: driven.reason, attempts };
    }),
  );
}

async function rollHost(parts: RollParts, request: BatchRequest, host: DriverHost): Promise<HostOutcome> {
  parts.logger.info(`On ${host.name} (${host.ssh ?? host.name}): ${request.version}`);
  const driven = await drive(parts.fleet.driverFor(host), parts.retry, parts.logger, {
    ...driveRequest(request),
    host,
  });
  if (!driven.ok) {
    // What the host runs after a failed driver is not known: whatever it ran is no longer vouched for.
    await request.host(host.name, { verified: false });
    return { host: host.name, ok: false, reason: driven.reason, attempts: driven.attempts };
  }
  return checkHost(parts, request, host, driven.attempts);
}

function driveRequest(request: BatchRequest) {
  const { environment, version, previous, signal } = request;
  return { environment, version, ...(previous ? { previous } : {}), signal };
}

/** The driver ran on `host`: recorded, verified on its address, and back in rotation if it passes. */
async function checkHost(
  parts: RollParts,
  request: BatchRequest,
  host: DriverHost,
  attempts: readonly AttemptRecord[],
): Promise<HostOutcome> {
  const { version, signal } = request;
  await request.host(host.name, { version, verified: false });
  parts.logger.info(`Verifying ${version} on ${host.name} before it gets traffic back`);
  const verification = await parts.verifyHost(host, version, signal);
  if (signal.aborted) throw interruption(signal);
  if (!verification.ok)
    return {
      host: host.name,
      ok: false,
      rejected: true,
      reason: `verification failed: ${verification.reason}`,
      attempts,
    };
  await request.host(host.name, { verified: true });
  await parts.gate.ready([host.name]);
  await request.host(host.name, { inRotation: true });
  parts.logger.info(`${host.name} runs ${version}, verified, back in rotation`);
  return { host: host.name, ok: true, attempts };
}
