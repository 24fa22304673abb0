import * as z from 'zod/mini';
import type { EnvironmentState, ReleaseRecord } from '../ports.ts';

/** The state file's format. Bump it with a migration below; never reinterpret an old file. */
export const STATE_SCHEMA_VERSION = 2;

/** How many releases the history keeps (oldest dropped first). */
export const HISTORY_LIMIT = 200;

const text = z.optional(z.string());
const release = z.object({
  version: z.string().check(z.minLength(1)),
  status: z.enum(['good', 'bad', 'failed', 'interrupted', 'deploying', 'paused', 'aborted']),
  startedAt: z.string(),
  finishedAt: text,
  actor: text,
  runner: text,
  runUrl: text,
  attempts: z.optional(z.number()),
  reason: text,
  kind: z.optional(z.enum(['deploy', 'rollback', 'promote'])),
  slot: text,
  phase: z.optional(z.enum(['placing', 'verifying', 'canary', 'switching', 'live'])),
  neverLive: z.optional(z.boolean()),
  stopped: z.optional(z.boolean()),
  canary: z.optional(z.object({ step: z.number(), weight: z.number() })),
});

const stateV2 = z.object({
  schemaVersion: z.literal(2),
  environment: z.string(),
  current: text,
  previous: text,
  deployStart: text,
  lastDeployTimestamp: text,
  releases: z.array(release),
  hosts: z.optional(
    z.record(
      z.string(),
      z.object({ version: text, since: z.string(), verified: z.boolean(), inRotation: z.boolean() }),
    ),
  ),
});

/**
 * Seed 004's flat file: current and previous version with timestamps, no history. It always
 * names the current version, and nothing else may be in it: a JSON file that is not ours is
 * refused, never read as an empty state (that would drop the history on the next write).
 */
const stateV1 = z.strictObject({
  current_version: z.string().check(z.minLength(1)),
  previous_version: text,
  deploy_start: text,
  last_deploy_timestamp: text,
  runner: text,
  actor: text,
});

/** Reads a parsed state file of any known version into today's shape, or says what is wrong. */
export function decodeState(
  document: unknown,
  environment: string,
): EnvironmentState | { problem: string; newer?: number } {
  const version = (document as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version === undefined) {
    const v1 = stateV1.safeParse(document);
    if (!v1.success) {
      const issue = v1.error.issues[0];
      const where = issue?.path.length ? ` (field ${issue.path.join('.')})` : '';
      return {
        problem: `it is not a deploy state file: no schemaVersion, and not a seed-004 file${where}: ${issue?.message}`,
      };
    }
    return migrateV1(v1.data, environment);
  }
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_SCHEMA_VERSION)
    return {
      problem: `schema version ${version} is newer than this deploy-actions understands (${STATE_SCHEMA_VERSION})`,
      newer: version,
    };
  if (version !== STATE_SCHEMA_VERSION)
    return { problem: `schema version ${JSON.stringify(version)} is not one deploy-actions has written` };
  const v2 = stateV2.safeParse(document);
  if (!v2.success) {
    const issue = v2.error.issues[0]!;
    return { problem: `field ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  const { schemaVersion: _, ...state } = v2.data;
  return state as EnvironmentState;
}

function migrateV1(v1: z.output<typeof stateV1>, environment: string): EnvironmentState {
  const at = v1.last_deploy_timestamp ?? v1.deploy_start ?? new Date(0).toISOString();
  const releases: ReleaseRecord[] = [];
  if (v1.previous_version)
    releases.push({
      version: v1.previous_version,
      status: 'good',
      startedAt: at,
      reason: 'migrated from a v1 state file',
    });
  if (v1.current_version) {
    releases.push({
      version: v1.current_version,
      status: 'good',
      startedAt: v1.deploy_start ?? at,
      finishedAt: at,
      ...(v1.actor ? { actor: v1.actor } : {}),
      ...(v1.runner ? { runner: v1.runner } : {}),
      reason: 'migrated from a v1 state file',
    });
  }
  return {
    environment,
    ...(v1.current_version ? { current: v1.current_version } : {}),
    ...(v1.previous_version ? { previous: v1.previous_version } : {}),
    ...(v1.deploy_start ? { deployStart: v1.deploy_start } : {}),
    ...(v1.last_deploy_timestamp ? { lastDeployTimestamp: v1.last_deploy_timestamp } : {}),
    releases,
  };
}

/** The file's text for `state`: today's schema, history capped, stable key order. */
export function encodeState(state: EnvironmentState): string {
  const releases = state.releases.slice(-HISTORY_LIMIT);
  return `${JSON.stringify({ schemaVersion: STATE_SCHEMA_VERSION, ...state, releases }, null, 2)}\n`;
}

export function emptyState(environment: string): EnvironmentState {
  return { environment, releases: [] };
}
