import { formatHostPort } from '../addresses.ts';
import type { Slot } from '../model/release.ts';
import { chooseSlots, type SlotFacts, type SlotPlan } from './choose-slots.ts';
import { slotContents } from './release-state.ts';
import { observeSlots, type Parts } from './slot-facts.ts';
import type { PreviewRequest, StrategyPreview } from './strategy.ts';

/**
 * Blue-green's dry run: the proxy read and the slots asked as the release would, the same
 * choice made over them (chooseSlots), and the proxy's own check run (nginx -t); nothing is
 * changed. It names the live and the idle slot, what each last ran, and the probes that check
 * the idle slot before traffic.
 */
export async function previewBlueGreen(parts: Parts, request: PreviewRequest): Promise<StrategyPreview> {
  const { traffic, settings } = parts;
  const facts = await observeSlots(parts, request);
  const checked = traffic.check ? `; ${await traffic.check(request.signal)}` : '';
  const plan = chooseSlots(facts);
  const proxy = `  proxy:       ${traffic.name} serves ${facts.proxyServes.join(' and ') || 'no slot'}${checked}`;
  const slots = `  slots:       ${settings.slots.map((slot) => describeSlot(slot, facts)).join('; ')}`;
  if (plan.kind === 'refuse') return { lines: [proxy, slots], refusal: `${traffic.name} ${plan.problem}` };
  const onSlot = settings.slotVerify[plan.idle.name]!;
  const slotChecks = [
    ...onSlot.probes.map((probe) => probe.name),
    onSlot.versionUrl ? 'version-url' : '',
  ].filter(Boolean);
  return {
    lines: [
      proxy,
      slots,
      `  go live:     ${describePlan(plan, request.version, traffic.name)}`,
      ...(plan.note ? [`  note:        ${plan.note}`] : []),
      `  slot check:  ${slotChecks.join(', ') || 'nothing'} on ${plan.idle.name}, before any user reaches it`,
    ],
    slot: plan.idle,
  };
}

function describeSlot(slot: Slot, facts: SlotFacts): string {
  const ran = slotContents(facts.record).get(slot.name);
  const role = facts.proxyServes.includes(slot.name) ? 'live' : 'idle';
  const answers = facts.answers[slot.name] ? 'answers' : 'does not answer';
  return `${slot.name} (${formatHostPort(slot)}) ${role}, ${answers}${ran ? `, last ran ${ran.version}${ran.stopped ? ' (stopped)' : ''}` : ''}`;
}

function describePlan(plan: Exclude<SlotPlan, { kind: 'refuse' }>, version: string, proxy: string): string {
  const { idle, from } = plan;
  if (plan.kind === 'switch-first')
    return `${idle.name} still runs ${version}, verified, and answers: switch ${proxy} back to it at once, verify after`;
  if (plan.kind === 'verify-then-switch')
    return `${idle.name} still runs ${version}: verify it there, then switch ${proxy} to it`;
  if (plan.bootstrap)
    return `first release: the driver puts ${version} into ${idle.name}, it is verified there, then ${proxy} sends traffic to it`;
  return `the driver puts ${version} into the idle slot ${idle.name} while users stay on ${from.name}; verified there, then ${proxy} switches to it; ${from.name} stays warm`;
}
