import { HOST_NAME_PATTERN } from '../model/host-name.ts';
import { digestOf } from '../model/image.ts';
import type {
  EnvironmentState,
  HostRecord,
  LockOwner,
  ReleaseKind,
  ReleaseRecord,
  ReleaseStatus,
  RunContext,
  TurnPlan,
} from '../ports.ts';

/**
 * Pure translation between the product's release history and GitHub Deployments. A release is
 * one deployment (payload: version, kind, who, which run); its status is the deployment's
 * newest status, with a tag at the start of the description saying what GitHub's states cannot:
 * `failed (live)` (the driver switched, verification failed: that version is what runs) and
 * `bad` (marked bad by a rollback). GitHub may add `inactive` statuses of its own (a newer
 * success supersedes an older one), so the newest status that is not `inactive` decides.
 */

/** What deploy-actions puts in a deployment's payload. */
export interface DeploymentPayload {
  readonly 'deploy-actions'?: number;
  readonly version?: string;
  /** The image digest, when the version names one (name@sha256:…). */
  readonly digest?: string;
  /** A release's kind; a turn that records no release is for abort or scale-down. */
  readonly kind?: TurnPlan['kind'];
  readonly actor?: string;
  readonly runner?: string;
  readonly host?: string;
  readonly pid?: number;
  readonly runId?: string;
  readonly runAttempt?: string;
  readonly runUrl?: string;
  readonly startedAt?: string;
  /** Unique to one create call: a retried POST that GitHub had already done makes a twin with the same nonce. */
  readonly nonce?: string;
}

export interface StatusView {
  readonly state: string;
  readonly description: string;
  readonly createdAt: string;
}

export interface DeploymentView {
  readonly id: number;
  readonly createdAt: string;
  readonly payload: DeploymentPayload;
  /** Newest first, as GitHub lists them. */
  readonly statuses: readonly StatusView[];
}

/** Statuses after which a deployment no longer holds (or waits for) the environment. */
const TERMINAL = new Set(['success', 'failure', 'error', 'inactive']);
const MAX_DESCRIPTION = 140;
export const SKIPPED = 'skipped';

/** The GitHub status for a release: state and tagged description (≤ 140 characters). */
export function statusFor(record: ReleaseRecord, live: boolean): { state: string; description: string } {
  const markers = markersOf(record);
  const tagged = (tag: string, state: string, text = record.reason ?? record.version) => ({
    state,
    description: clip(`${tag}${markers ? ` [${markers}]` : ''}: ${text}`),
  });
  switch (record.status) {
    case 'good':
      return tagged('good', 'success', `${record.version} deployed and verified`);
    case 'failed':
      return tagged(live ? 'failed (live)' : 'failed', 'failure');
    case 'bad':
      return tagged('bad', 'failure');
    case 'interrupted':
      return tagged(live ? 'interrupted (live)' : 'interrupted', 'error');
    case 'paused':
      // Inactive: it holds nothing (the queue passes it) and serves no one.
      return tagged('paused', 'inactive', `${record.version} verified on its slot, waiting for promotion`);
    case 'aborted':
      return tagged('aborted', 'inactive');
    case 'deploying':
      return live
        ? tagged('live', 'in_progress', `${record.version} switched to, verifying`)
        : {
            state: 'in_progress',
            description: clip(`deploying ${record.version}${markers ? ` [${markers}]` : ''}`),
          };
  }
}

/**
 * What a status says beyond its tag, in brackets after it (`bad [green, never live]: …`): the
 * blue-green slot the release ran in, that no user reached it, that its slot was stopped. The
 * deployment's payload is fixed when it is created; these are known only later.
 */
export function markersOf(record: ReleaseRecord): string {
  return [
    ...(record.slot ? [`slot ${record.slot}`] : []),
    // How far a blue-green release got: a killed one is settled by it (live is the status's own tag).
    // Once finished only `switching` still says something: the switch's outcome was never read.
    ...(record.phase === 'canary' &&
    record.canary &&
    (record.status === 'deploying' || record.status === 'paused')
      ? [`canary ${record.canary.weight}% at step ${record.canary.step + 1}`]
      : record.phase &&
          record.phase !== 'live' &&
          record.phase !== 'canary' &&
          (record.status === 'deploying' || record.phase === 'switching')
        ? [record.phase]
        : []),
    ...(record.neverLive ? ['never live'] : []),
    ...(record.stopped ? ['stopped'] : []),
  ].join(', ');
}

const PHASES = ['placing', 'verifying', 'switching'] as const;

function parseMarkers(
  status: StatusView,
): Pick<ReleaseRecord, 'slot' | 'phase' | 'neverLive' | 'stopped' | 'canary'> {
  const head = status.description.split(':')[0] ?? '';
  const inside =
    /\[([^\]]*)\]/
      .exec(head)?.[1]
      ?.split(',')
      .map((m) => m.trim()) ?? [];
  const slot = inside.find((m) => m.startsWith('slot '))?.slice('slot '.length);
  const phase = PHASES.find((p) => inside.includes(p));
  const canary = inside.map((m) => /^canary (\d{1,3})% at step (\d{1,4})$/.exec(m)).find(Boolean);
  return {
    ...(slot ? { slot } : {}),
    ...(phase ? { phase } : {}),
    ...(canary
      ? { phase: 'canary', canary: { step: Number(canary[2]) - 1, weight: Number(canary[1]) } }
      : {}),
    ...(inside.includes('never live') ? { neverLive: true } : {}),
    ...(inside.includes('stopped') ? { stopped: true } : {}),
  };
}

export function isOurs(deployment: DeploymentView): boolean {
  return deployment.payload['deploy-actions'] === 1 && typeof deployment.payload.version === 'string';
}

/** Whether the deployment records a release (not one still queued, nor a skipped no-op). */
export function carriesRelease(deployment: DeploymentView): boolean {
  return toRecord(deployment) !== undefined;
}

/** Whether the deployment is done with the environment: finished, given up, or skipped. */
export function isTerminal(deployment: DeploymentView): boolean {
  const newest = deployment.statuses[0];
  return newest !== undefined && TERMINAL.has(newest.state);
}

/**
 * Whether the deployment's release had its turn (in progress, or finished after it ran; not
 * queued, not skipped): a turn comes only once every older deployment of ours is finished, so
 * nothing older than it can still hold the environment. Judged on the newest status.
 */
export function hadItsTurn(deployment: DeploymentView): boolean {
  const newest = deployment.statuses[0];
  if (!newest) return false;
  if (newest.state === 'in_progress') return true;
  return TERMINAL.has(newest.state) && tagOf(newest) !== SKIPPED;
}

/** Tags of our own `inactive` statuses: a skipped turn, and releases that hold and serve nothing. */
const INACTIVE_TAGS: Readonly<Record<string, ReleaseStatus | undefined>> = {
  [SKIPPED]: undefined,
  paused: 'paused',
  aborted: 'aborted',
};

/** The newest status that says something of the release (not GitHub's own `inactive`). */
export function decidingStatus(deployment: DeploymentView): StatusView | undefined {
  return deployment.statuses.find((status) => status.state !== 'inactive' || tagOf(status) in INACTIVE_TAGS);
}

function tagOf(status: StatusView): string {
  const colon = status.description.indexOf(':');
  return colon > 0 ? status.description.slice(0, colon).replace(/\s*\[[^\]]*\]$/, '') : '';
}

function reasonOf(status: StatusView): string {
  const colon = status.description.indexOf(':');
  return colon > 0 ? status.description.slice(colon + 1).trim() : status.description;
}

const STATUS_OF_STATE: Readonly<Record<string, ReleaseStatus>> = {
  success: 'good',
  failure: 'failed',
  error: 'interrupted',
  in_progress: 'deploying',
};

/** The release a deployment records, or undefined (still queued, skipped, or not ours). */
export function toRecord(deployment: DeploymentView): ReleaseRecord | undefined {
  const deciding = decidingStatus(deployment);
  if (!isOurs(deployment) || !deciding || tagOf(deciding) === SKIPPED) return undefined;
  const tag = tagOf(deciding);
  const status =
    tag === 'bad'
      ? 'bad'
      : deciding.state === 'inactive'
        ? INACTIVE_TAGS[tag]
        : STATUS_OF_STATE[deciding.state];
  if (!status) return undefined;
  const { payload } = deployment;
  const finished = status !== 'deploying';
  const reason = status === 'good' || status === 'deploying' ? '' : reasonOf(deciding);
  return {
    id: String(deployment.id),
    version: payload.version!,
    status,
    startedAt: payload.startedAt ?? deployment.createdAt,
    ...(finished ? { finishedAt: deciding.createdAt } : {}),
    ...(payload.actor ? { actor: payload.actor } : {}),
    ...(payload.runner ? { runner: payload.runner } : {}),
    ...(payload.runUrl ? { runUrl: payload.runUrl } : {}),
    ...(isReleaseKind(payload.kind) ? { kind: payload.kind } : {}),
    ...(reason ? { reason } : {}),
    ...parseMarkers(deciding),
  };
}

/** Whether the deployment's version ever served: verified good, or switched to and then failed. */
function wentLive(deployment: DeploymentView): boolean {
  return deployment.statuses.some((s) => s.state === 'success' || LIVE_TAGS.has(tagOf(s)));
}

/** Tags of statuses that say the version reached users (switched to, whatever came after). */
const LIVE_TAGS = new Set(['live', 'failed (live)', 'interrupted (live)']);

/**
 * The environment's state from its deployments (any order): history oldest first; current is
 * the newest release that went live, previous the one live before it with another version.
 */
export function toEnvironmentState(
  environment: string,
  deployments: readonly DeploymentView[],
): EnvironmentState {
  const ordered = deployments.filter(isOurs).toSorted((a, b) => a.id - b.id);
  const hosts = hostsOf(ordered);
  const releases = ordered.map(toRecord).filter((r): r is ReleaseRecord => r !== undefined);
  const live = ordered.filter(wentLive);
  const current = live.at(-1);
  const previous = live.findLast((d) => d.payload.version !== current?.payload.version);
  const currentRecord = releases.findLast((r) => r.id === String(current?.id));
  const deploying = releases.findLast((r) => r.status === 'deploying');
  return {
    environment,
    releases,
    ...(current ? { current: current.payload.version! } : {}),
    ...(previous ? { previous: previous.payload.version! } : {}),
    ...(currentRecord?.finishedAt ? { lastDeployTimestamp: currentRecord.finishedAt } : {}),
    ...(deploying ? { deployStart: deploying.startedAt } : {}),
    ...(Object.keys(hosts).length > 0 ? { hosts } : {}),
  };
}

const HOST_STATUS = new RegExp(
  `^host (${HOST_NAME_PATTERN}): (\\S+) (verified|not verified), (in|out of) rotation$`,
);

/**
 * Rolling: a host's status, posted on the release's deployment (in_progress, before the
 * release's own final status, so that one stays the deciding, newest one).
 */
export function hostStatus(name: string, host: HostRecord): string {
  return clip(
    `host ${name}: ${host.version ?? 'unknown'} ${host.verified ? 'verified' : 'not verified'}, ${host.inRotation ? 'in' : 'out of'} rotation`,
  );
}

/** Each host as the newest status that names it says (deployments oldest first). */
export function hostsOf(ordered: readonly DeploymentView[]): Record<string, HostRecord> {
  const hosts: Record<string, HostRecord> = {};
  for (const deployment of ordered.toReversed())
    for (const status of deployment.statuses) {
      const said = HOST_STATUS.exec(status.description);
      if (!said || hosts[said[1]!]) continue;
      hosts[said[1]!] = {
        ...(said[2] !== 'unknown' ? { version: said[2]! } : {}),
        since: status.createdAt,
        verified: said[3] === 'verified',
        inRotation: said[4] === 'in',
      };
    }
  return hosts;
}

/** A description within GitHub's 140 characters, cut between code points (never inside an emoji's pair). */
export function clip(text: string): string {
  if (text.length <= MAX_DESCRIPTION) return text;
  let cut = '';
  for (const character of text) {
    if (cut.length + character.length > MAX_DESCRIPTION - 1) break;
    cut += character;
  }
  return `${cut}…`;
}

/** The payload of a new deployment: the version (and image digest), who, where, which run. */
export function payloadFor(
  version: string,
  kind: TurnPlan['kind'],
  run: RunContext,
  startedAt: string,
  owner?: Omit<LockOwner, 'since'>,
  nonce?: string,
): DeploymentPayload {
  const digest = digestOf(version);
  return {
    'deploy-actions': 1,
    version,
    ...(digest ? { digest } : {}),
    kind,
    ...(run.actor ? { actor: run.actor } : {}),
    ...(run.runner ? { runner: run.runner } : {}),
    host: owner?.host ?? run.host,
    pid: owner?.pid ?? run.pid,
    ...(run.runId ? { runId: run.runId, runAttempt: run.runAttempt ?? '1' } : {}),
    ...(run.runUrl ? { runUrl: run.runUrl } : {}),
    startedAt,
    ...(nonce ? { nonce } : {}),
  };
}

/** Who holds (or waits with) a deployment, as a lock owner. */
export function ownerOf(deployment: DeploymentView): LockOwner {
  const { payload } = deployment;
  return {
    pid: payload.pid ?? 0,
    host: payload.host ?? 'unknown host',
    ...(payload.actor ? { actor: payload.actor } : {}),
    ...(payload.runUrl ? { runUrl: payload.runUrl } : {}),
    since: payload.startedAt ?? deployment.createdAt,
  };
}

export function describeOwner(owner: LockOwner): string {
  const who = owner.actor ? `${owner.actor}, ` : '';
  return `${who}${owner.runUrl ?? `pid ${owner.pid} on ${owner.host}`}, since ${owner.since}`;
}

function isReleaseKind(kind: string | undefined): kind is ReleaseKind {
  return kind === 'deploy' || kind === 'rollback' || kind === 'promote';
}
