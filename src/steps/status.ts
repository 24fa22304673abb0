import { describeOwner } from '../github/deployment-records.ts';
import type { EnvironmentState, LockOwner, ReleaseBackend, ReleaseRecord } from '../ports.ts';
import { liveView } from '../release/release-state.ts';
import type { StatusSettings } from '../settings/status.ts';

export interface StatusReport {
  readonly environment: string;
  readonly current?: string;
  /** Whether the newest release is the current version, verified good (else production is unsettled). */
  readonly verified: boolean;
  readonly previous?: string;
  readonly lastDeploy?: string;
  readonly lock?: LockOwner;
  /** Newest first. */
  readonly releases: readonly ReleaseRecord[];
}

/** An environment's state and lock, read (never changed). */
export async function runStatus(
  settings: StatusSettings,
  backend: Pick<ReleaseBackend, 'read' | 'holder'>,
): Promise<StatusReport> {
  const [state, lock]: [EnvironmentState, LockOwner | undefined] = await Promise.all([
    backend.read(settings.environment),
    backend.holder(settings.environment),
  ]);
  return {
    environment: settings.environment,
    ...(state.current ? { current: state.current } : {}),
    verified: liveView(state).verified,
    ...(state.previous ? { previous: state.previous } : {}),
    ...(state.lastDeployTimestamp ? { lastDeploy: state.lastDeployTimestamp } : {}),
    ...(lock ? { lock } : {}),
    releases: state.releases.slice(-settings.history).toReversed(),
  };
}

const ICONS: Readonly<Record<ReleaseRecord['status'], string>> = {
  good: '✅',
  bad: '⛔',
  failed: '❌',
  interrupted: '⏹️',
  deploying: '⏳',
};

function unsettled(report: StatusReport): string {
  const newest = report.releases[0];
  return newest
    ? `${newest.kind ?? 'deploy'} of ${newest.version} ${newest.status}${newest.reason ? `: ${newest.reason}` : ''}`
    : 'unknown';
}

/** The report for a terminal. */
export function renderStatusText(report: StatusReport): string {
  const lines = [
    `${report.environment}: ${report.current ?? 'nothing deployed yet'}${report.current && !report.verified ? ` — NOT VERIFIED (${unsettled(report)})` : ''}${report.previous ? ` (previous: ${report.previous})` : ''}`,
    report.lastDeploy ? `last deploy: ${report.lastDeploy}` : '',
    report.lock ? `locked by ${describeOwner(report.lock)}` : 'lock: free',
    '',
    'history (newest first):',
    ...report.releases.map(
      (r) =>
        `  ${ICONS[r.status]} ${r.version.padEnd(16)} ${r.status.padEnd(11)} ${(r.kind ?? 'deploy').padEnd(8)}  ${r.startedAt}${r.actor ? `  ${r.actor}` : ''}${r.reason ? `  — ${r.reason}` : ''}`,
    ),
  ];
  return lines.filter((line, i) => line !== '' || i === 3).join('\n');
}
