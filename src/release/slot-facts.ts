import { connectTcp } from '../clients/tcp-connect.ts';
import type { DeployDriver } from '../deploy/driver.ts';
import type { RetryPolicy } from '../deploy/retry.ts';
import type { VerifyDeps } from '../deploy/verify.ts';
import type { Slot, StrategySettings } from '../model/release.ts';
import type { CommandRunner } from '../ports.ts';
import type { TrafficSwitch } from '../traffic/traffic-switch.ts';
import type { SlotFacts } from './choose-slots.ts';
import type { GoLiveRequest } from './strategy.ts';

type BlueGreen = Extract<StrategySettings, { kind: 'blue-green' }>;

/** What a blue-green release works with. */
export interface Parts {
  readonly driver: DeployDriver;
  readonly settings: BlueGreen;
  readonly retry: RetryPolicy & { readonly attemptTimeoutMs: number };
  readonly traffic: TrafficSwitch;
  readonly deps: VerifyDeps;
  /** Where stop-command runs for a slot: its host over SSH (hosts), or here. */
  readonly slotRunner: (slot: string) => CommandRunner;
}

/** What the proxy serves and which slots answer: the facts blue-green chooses on. */
export async function observeSlots(
  { settings, traffic }: Parts,
  request: Pick<GoLiveRequest, 'version' | 'state'>,
): Promise<SlotFacts> {
  const proxyServes = await traffic.live();
  const answering = await Promise.all(settings.slots.map(answers));
  return {
    version: request.version,
    slots: settings.slots,
    record: request.state,
    proxyServes,
    answers: Object.fromEntries(settings.slots.map((slot, i) => [slot.name, answering[i]!])),
  };
}

/** Whether a slot's process answers now: one connection, bounded. */
export async function answers(slot: Slot): Promise<boolean> {
  return connectTcp(slot.host, slot.port, AbortSignal.timeout(1000)).then(
    () => true,
    () => false,
  );
}
