import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import type { SlotStop, StrategySettings } from '../model/release.ts';
import { durationField } from '../schema/fields.ts';
import { canaryInputs, parseCanary, refuseOnHosts } from './canary.ts';
import type { InputSpecs } from './input-spec.ts';
import { parseWithSchema } from './input-spec.ts';
import { parseHostCount, parseSlots, parseTraffic, scaleDown } from './strategy-fields.ts';
import type { VerifyDeclaration } from './verify.ts';

/** The inputs of a release's strategy (deploy, rollback, the root action, the CLI). */
export const strategyInputs = {
  strategy: {
    description:
      'How a version goes live: in-place (the driver replaces what runs), blue-green (it runs in the idle slot, is verified there before any user reaches it, then traffic switches; the old slot stays warm), rolling (hosts, batch by batch: each out of the load balancer, deployed, verified on its address, back in) or canary (canary-steps: with slots, a growing share of traffic to the idle slot; with hosts, a growing share of the hosts; judged by canary-analysis, aborted at its first failure).',
    default: 'in-place',
  },
  'batch-size': {
    description:
      'rolling: how many hosts go out of rotation at once, a count (1) or a percentage of hosts (25%, rounded down, at least one).',
    default: '1',
  },
  'min-healthy': {
    description:
      'rolling: how many hosts must serve a verified version at every moment, a count or a percentage (rounded up); a plan that would break it is refused before anything changes. Empty: every host but the batch.',
    default: '',
  },
  'on-host-failure': {
    description:
      'rolling: when a host fails, stop-and-revert (the hosts already done go back to the previous version, verified, and rejoin) or stop (they keep the new version; the failed host stays out).',
    default: 'stop-and-revert',
  },
  slots: {
    description:
      'blue-green: the two slots and the address each serves on, as a YAML map (blue: 127.0.0.1:8081, green: 127.0.0.1:8082; an IPv6 host in brackets, [::1]:8081, quoted). The driver gets DEPLOY_SLOT, DEPLOY_SLOT_ADDRESS and DEPLOY_SLOT_PORT.',
    default: '',
  },
  traffic: {
    description:
      'blue-green: what switches traffic between the slots; rolling: what takes a host out of rotation and back (a server per host, named like it): haproxy, nginx or command (switch-command).',
    default: 'haproxy',
  },
  'haproxy-socket': {
    description:
      "traffic haproxy: HAProxy's runtime API (stats socket … level admin), a unix socket path or host:port ([::1]:9999 for IPv6).",
    default: '',
  },
  'haproxy-backend': {
    description: 'traffic haproxy: the backend whose servers are the slots, each named like its slot.',
    default: '',
  },
  'switch-command': {
    description:
      'traffic command: run with DEPLOY_SLOT, DEPLOY_SLOT_ADDRESS, DEPLOY_SLOT_PORT and DEPLOY_PREVIOUS_SLOT to send traffic to that slot; run with DEPLOY_SLOT empty, it prints the slot receiving traffic (the read-back). rolling: run with DEPLOY_HOST, DEPLOY_HOST_ADDRESS and DEPLOY_HOST_STATE=drain or ready; with DEPLOY_HOST_STATE empty it prints ready, drain or down.',
    default: '',
  },
  'nginx-upstream-file': {
    description:
      "traffic nginx: the file included in the upstream block; deploy-actions writes the live slot's server line there.",
    default: '',
  },
  'nginx-test-command': {
    description:
      'traffic nginx: checks the configuration before a reload; a failure keeps the old upstream file.',
    default: 'nginx -t',
  },
  'nginx-reload-command': {
    description: 'traffic nginx: the graceful reload after the upstream file changed.',
    default: 'nginx -s reload',
  },
  'nginx-pid-file': {
    description:
      "traffic nginx: the master's pid file; a reload took effect once the master runs new workers.",
    default: '/run/nginx.pid',
  },
  promotion: {
    description:
      "blue-green: auto switches traffic once the version is verified on its slot; manual stops there (its preview address in the outputs) until promote switches it or abort stops it (Argo Rollouts' autoPromotionEnabled: false). Deploys only: a rollback never waits.",
    default: 'auto',
  },
  'stop-command': {
    description:
      'blue-green: stops the old slot (DEPLOY_SLOT, its address and the version it ran set) scale-down-delay after a verified release. Without it the old slot stays warm.',
    default: '',
  },
  'scale-down-delay': {
    description:
      "blue-green: how long the old slot stays warm after a verified release before stop-command (Argo Rollouts' scaleDownDelaySeconds); never keeps it. Up to 10s is served in the run; a longer delay is served by the next release or deploy-actions scale-down, never holding the lock.",
    default: '30s',
  },
  'drain-timeout': {
    description:
      'blue-green: how long the old slot may finish the requests it is serving after the switch; rolling: how long a host taken out of rotation may finish its requests.',
    default: '30s',
  },
  ...canaryInputs,
} as const satisfies InputSpecs;

const schema = z.object({
  strategy: z.enum(
    ['in-place', 'blue-green', 'rolling', 'canary'],
    'use in-place, blue-green, rolling or canary',
  ),
  'on-host-failure': z.enum(['stop-and-revert', 'stop'], 'use stop-and-revert or stop'),
  traffic: z.enum(['haproxy', 'nginx', 'command'], 'use haproxy, nginx or command'),
  promotion: z.enum(['auto', 'manual'], 'use auto or manual'),
  'drain-timeout': durationField,
});

type StrategyInput = keyof typeof strategyInputs;
type TrafficKind = z.output<typeof schema>['traffic'];
type StrategyKind = z.output<typeof schema>['strategy'];

/** The inputs each traffic switch reads, and nothing else does. */
const TRAFFIC_INPUTS: Readonly<Record<TrafficKind, readonly StrategyInput[]>> = {
  haproxy: ['haproxy-socket', 'haproxy-backend'],
  nginx: ['nginx-upstream-file', 'nginx-test-command', 'nginx-reload-command', 'nginx-pid-file'],
  command: ['switch-command'],
};
const SLOT_INPUTS: readonly StrategyInput[] = ['slots', 'promotion', 'stop-command', 'scale-down-delay'];
const ROLLING_INPUTS: readonly StrategyInput[] = ['batch-size', 'min-healthy', 'on-host-failure'];
const PROXY_INPUTS: readonly StrategyInput[] = [
  'traffic',
  ...Object.values(TRAFFIC_INPUTS).flat(),
  'drain-timeout',
];
/** The inputs each strategy reads: any other strategy's input, given, is a mistake. */
const STRATEGY_INPUTS: Readonly<Record<StrategyKind, readonly StrategyInput[]>> = {
  'in-place': [],
  'blue-green': [...SLOT_INPUTS, ...PROXY_INPUTS],
  rolling: [...ROLLING_INPUTS, ...PROXY_INPUTS],
  // With slots, a share of traffic; with hosts, a share of the hosts (in batches).
  canary: [
    'slots',
    'stop-command',
    'scale-down-delay',
    'batch-size',
    'min-healthy',
    ...PROXY_INPUTS,
    ...(Object.keys(canaryInputs) as StrategyInput[]),
  ],
};
const ALL_STRATEGY_INPUTS = [...new Set(Object.values(STRATEGY_INPUTS).flat())];

/** Set to something else than its default: the user meant it. */
function given(values: Record<string, string>, input: StrategyInput): boolean {
  const value = values[input] ?? '';
  return value !== '' && value !== (strategyInputs[input].default ?? '');
}

/** An input the chosen strategy or traffic switch would ignore is a mistake, named, never silence. */
function refuseIgnored(values: Record<string, string>, strategy: StrategyKind, traffic: TrafficKind) {
  const reads = STRATEGY_INPUTS[strategy];
  const stray = ALL_STRATEGY_INPUTS.find((input) => !reads.includes(input) && given(values, input));
  if (stray) {
    const users = (['blue-green', 'rolling', 'canary'] as const).filter((kind) =>
      STRATEGY_INPUTS[kind].includes(stray),
    );
    throw new ConfigurationError(
      stray,
      `is only used with strategy: ${users.length > 1 ? `${users.slice(0, -1).join(', ')} or ${users.at(-1)}` : users[0]}, and this release is ${strategy}: remove it`,
      { input: 'strategy', value: users[0]! },
    );
  }
  if (strategy === 'in-place') return;
  for (const [kind, inputs] of Object.entries(TRAFFIC_INPUTS)) {
    const stray = kind === traffic ? undefined : inputs.find((input) => given(values, input));
    if (stray)
      throw new ConfigurationError(
        stray,
        `is only used with traffic: ${kind}, and traffic is ${traffic}: remove it`,
        { input: 'traffic', value: kind },
      );
  }
  // The docker and compose drivers stop a slot themselves.
  const driverStops = values.driver === 'docker' || values.driver === 'compose';
  if (given(values, 'scale-down-delay') && !values['stop-command'] && !driverStops)
    throw new ConfigurationError(
      'scale-down-delay',
      'does nothing without stop-command (the command that stops the old slot): give stop-command, or remove it',
    );
}

/** The strategy the inputs ask for; probes or a version-url that name a slot need blue-green. */
export function parseStrategy(
  values: Record<string, string>,
  verify: VerifyDeclaration,
  driverStop?: SlotStop,
): StrategySettings {
  const flat = parseWithSchema(schema, {
    strategy: values.strategy || 'in-place',
    'on-host-failure': values['on-host-failure'] || 'stop-and-revert',
    traffic: values.traffic || 'haproxy',
    promotion: values.promotion || 'auto',
    'drain-timeout': values['drain-timeout'] || '30s',
  });
  if (flat.strategy === 'in-place') {
    if (verify.namesSlot)
      throw new ConfigurationError(
        'verify-probes',
        'a probe or version-url names a slot ({slot_url}, {slot_host}, {slot_port}), which only blue-green has (with slots)',
        { input: 'strategy', value: 'blue-green' },
      );
    refuseIgnored(values, flat.strategy, flat.traffic);
    return { kind: 'in-place' };
  }
  if (flat.strategy === 'canary') return parseCanaryStrategy(values, verify, flat, driverStop);
  if (flat.strategy === 'rolling') {
    refuseIgnored(values, flat.strategy, flat.traffic);
    if (verify.namesSlot)
      throw new ConfigurationError(
        'verify-probes',
        'a probe or version-url names a slot ({slot_url} …), which only blue-green has: name the host ({host_url})',
      );
    const minHealthy = (values['min-healthy'] ?? '').trim();
    return {
      kind: 'rolling',
      batchSize: parseHostCount(values['batch-size'] || '1', 'batch-size', 1),
      ...(minHealthy ? { minHealthy: parseHostCount(minHealthy, 'min-healthy', 0) } : {}),
      onFailure: flat['on-host-failure'],
      gate: parseTraffic(flat.traffic, values),
      drainTimeoutMs: flat['drain-timeout'],
    };
  }
  const slots = parseSlots(values.slots ?? '');
  const traffic = parseTraffic(flat.traffic, values);
  refuseIgnored(values, flat.strategy, flat.traffic);
  return {
    kind: 'blue-green',
    slots,
    traffic,
    drainTimeoutMs: flat['drain-timeout'],
    promotion: flat.promotion,
    ...scaleDown(values, driverStop),
    slotVerify: Object.fromEntries(slots.map((slot) => [slot.name, verify.forSlot(slot)])),
  };
}

/**
 * Canary with slots: blue-green's slots and switch, the switch made in steps of weight; with
 * hosts: rolling's gate, the hosts moved in steps of their share.
 */
function parseCanaryStrategy(
  values: Record<string, string>,
  verify: VerifyDeclaration,
  flat: { traffic: 'haproxy' | 'nginx' | 'command'; 'drain-timeout': number },
  driverStop: SlotStop | undefined,
): StrategySettings {
  refuseIgnored(values, 'canary', flat.traffic);
  const canary = parseCanary(values, flat.traffic);
  if ((values.slots ?? '').trim()) {
    for (const input of ['batch-size', 'min-healthy'] as const)
      if (given(values, input))
        throw new ConfigurationError(
          input,
          'is only used by a canary across hosts, and this one has slots: remove it',
        );
    const slots = parseSlots(values.slots ?? '');
    return {
      kind: 'blue-green',
      slots,
      traffic: parseTraffic(flat.traffic, values),
      drainTimeoutMs: flat['drain-timeout'],
      promotion: 'auto',
      ...scaleDown(values, driverStop),
      slotVerify: Object.fromEntries(slots.map((slot) => [slot.name, verify.forSlot(slot)])),
      canary,
    };
  }
  if (values['stop-command'])
    throw new ConfigurationError(
      'stop-command',
      'stops a slot: a canary across hosts has none (give slots, or remove it)',
    );
  if (verify.namesSlot)
    throw new ConfigurationError(
      'verify-probes',
      'a probe names a slot, and this canary has no slots: give slots, or name the host ({host_url})',
    );
  refuseOnHosts(canary);
  const minHealthy = (values['min-healthy'] ?? '').trim();
  return {
    kind: 'rolling',
    batchSize: parseHostCount(values['batch-size'] || '1', 'batch-size', 1),
    ...(minHealthy ? { minHealthy: parseHostCount(minHealthy, 'min-healthy', 0) } : {}),
    onFailure: 'stop-and-revert',
    gate: parseTraffic(flat.traffic, values),
    drainTimeoutMs: flat['drain-timeout'],
    canary,
  };
}
