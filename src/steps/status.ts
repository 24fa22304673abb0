import { describeOwner } from '../github/deployment-records.ts';
import type { EnvironmentState, HostRecord, LockOwner, ReleaseBackend, ReleaseRecord } from '../ports.ts';
import { canaryUnderway } from '../release/canary-restore.ts';
import { liveView, slotContents } from '../release/release-state.ts';
import type { StatusSettings } from '../settings/status.ts';

/** Blue-green: what one slot runs, as the record says (the proxy is not asked here). */
export interface SlotStatus {
  readonly slot: string;
  readonly version: string;
  /**
   * live: users reach it; warm: it still runs, ready to switch back to; stopped (scale-down,
   * abort); paused: verified there, waiting for promotion.
   */
  readonly role: 'live' | 'warm' | 'stopped' | 'paused' | 'canary';
  readonly verified: boolean;
  /** A canary (paused at pause: {}, or under way): its step and share of the traffic, as recorded. */
  readonly canary?: { readonly step: number; readonly weight: number; readonly paused: boolean };
}

export interface StatusReport {
  readonly environment: string;
  /** Where the record was read: a state directory, or a repository's GitHub Deployments. */
  readonly source: string;
  readonly current?: string;
  /** Whether the newest release is the current version, verified good (else production is unsettled). */
  readonly verified: boolean;
  readonly previous?: string;
  readonly lastDeploy?: string;
  readonly lock?: LockOwner;
  /** Blue-green releases only: each slot, by the release it last ran. */
  readonly slots: readonly SlotStatus[];
  /** Hosts (rolling): what each runs, as the releases that reached it left it. */
  readonly hosts: Readonly<Record<string, HostRecord>>;
  /** Newest first. */
  readonly releases: readonly ReleaseRecord[];
}

/** An environment's state and lock, read (never changed). */
export async function runStatus(
  settings: StatusSettings,
  backend: Pick<ReleaseBackend, 'read' | 'holder'>,
  source: string,
): Promise<StatusReport> {
  const [state, lock]: [EnvironmentState, LockOwner | undefined] = await Promise.all([
    backend.read(settings.environment),
    backend.holder(settings.environment),
  ]);
  return {
    environment: settings.environment,
    source,
    ...(state.current ? { current: state.current } : {}),
    verified: liveView(state).verified,
    ...(state.previous ? { previous: state.previous } : {}),
    ...(state.lastDeployTimestamp ? { lastDeploy: state.lastDeployTimestamp } : {}),
    ...(lock ? { lock } : {}),
    slots: slotsOf(state),
    hosts: state.hosts ?? {},
    releases: state.releases.slice(-settings.history).toReversed(),
  };
}

/** Each slot by the release it last ran: live if users reach that release, else warm or stopped. */
function slotsOf(state: EnvironmentState): SlotStatus[] {
  const live = state.releases.findLast((r) => r.slot && r.version === state.current && !r.neverLive);
  return [...slotContents(state)].map(([slot, release]) => {
    const canary = canaryUnderway(state) === release ? release.canary : undefined;
    return {
      slot,
      version: release.version,
      role: release.stopped
        ? 'stopped'
        : release === live
          ? 'live'
          : canary
            ? 'canary'
            : release.status === 'paused'
              ? 'paused'
              : 'warm',
      // A paused release was verified on its slot; users never reached it (a canary's: some did).
      verified: release.status === 'good' || release.status === 'paused',
      ...(canary ? { canary: { ...canary, paused: release.status === 'paused' } } : {}),
    };
  });
}

function describeRole(slot: SlotStatus): string {
  if (slot.canary)
    return `canary with ${slot.canary.weight} % of the traffic at step ${slot.canary.step + 1}${slot.canary.paused ? ', paused (promote goes on with its steps, abort takes its traffic back)' : ', under way'}`;
  return slot.role === 'paused'
    ? 'waiting for promotion (promote switches to it, abort stops it)'
    : slot.role;
}

const ICONS: Readonly<Record<ReleaseRecord['status'], string>> = {
  good: '✅',
  bad: '⛔',
  failed: '❌',
  interrupted: '⏹️',
  deploying: '⏳',
  paused: '⏸️',
  aborted: '🚫',
};

function unsettled(report: StatusReport): string {
  const newest = report.releases[0];
  return newest
    ? `${newest.kind ?? 'deploy'} of ${newest.version} ${newest.status}${newest.reason ? `: ${newest.reason}` : ''}`
    : 'unknown';
}

/** The report for a terminal: what runs and who holds it, a blank line, then the history. */
export function renderStatusText(report: StatusReport): string {
  const now = [
    `${report.environment}: ${report.current ?? `nothing deployed yet (no record in ${report.source})`}${report.current && !report.verified ? ` — NOT VERIFIED (${unsettled(report)})` : ''}${report.previous ? ` (previous: ${report.previous})` : ''}`,
    `read from: ${report.source}`,
    ...report.slots.map(
      (s) =>
        `slot ${s.slot}: ${s.version} ${describeRole(s)}${s.verified ? `, verified${s.role === 'paused' || s.role === 'canary' ? ' on its slot' : ''}` : ', NOT verified'}`,
    ),
    report.lastDeploy ? `last deploy: ${report.lastDeploy}` : '',
    report.lock ? `locked by ${describeOwner(report.lock)}` : 'lock: free',
  ].filter(Boolean);
  const history = report.releases.map(
    (r) =>
      `  ${ICONS[r.status]} ${r.version.padEnd(16)} ${r.status.padEnd(11)} ${(r.kind ?? 'deploy').padEnd(8)}  ${r.startedAt}${r.actor ? `  ${r.actor}` : ''}${r.reason ? `  — ${r.reason}` : ''}`,
  );
  return [...now, ...fleetTable(report.hosts), '', 'history (newest first):', ...history].join('\n');
}

/** The fleet, a line per host: its version, verified or not, in rotation or out, since when. */
function fleetTable(hosts: StatusReport['hosts']): string[] {
  const rows = Object.entries(hosts);
  if (rows.length === 0) return [];
  const width = Math.max(4, ...rows.map(([name]) => name.length));
  const version = Math.max(7, ...rows.map(([, host]) => (host.version ?? '?').length));
  return [
    '',
    `${'host'.padEnd(width)}  ${'version'.padEnd(version)}  verified  in rotation  since`,
    ...rows.map(
      ([name, host]) =>
        `${name.padEnd(width)}  ${(host.version ?? '?').padEnd(version)}  ${(host.verified ? 'yes' : 'NO').padEnd(8)}  ${(host.inRotation ? 'yes' : 'NO (out)').padEnd(11)}  ${host.since}`,
    ),
  ];
}
