import { appendAudit } from '../clients/audit-entry.ts';
import type { ImageWatch, Verification } from '../deploy/verify.ts';
import type { TargetSettings } from '../model/release.ts';
import type {
  AuditLog,
  Clock,
  CommandRunner,
  Logger,
  ReleaseBackend,
  ReleaseKind,
  ReleaseSession,
  RunContext,
  TurnPlan,
} from '../ports.ts';
import type { Redactor } from '../redactor.ts';

/** What a release needs from the world. */
export interface ReleaseDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly redactor: Redactor;
  readonly backend: ReleaseBackend;
  readonly audit: AuditLog;
  readonly run: RunContext;
  readonly signal?: AbortSignal;
  /** A release of an image by tag: the tag must still name its digest when it is verified. */
  readonly imageWatch?: ImageWatch;
  /** Called once the release's turn came, with its token (the action saves it for its post step). */
  readonly onLocked?: (token: string) => void;
}

/** A release's dependencies once its turn came: the session holding the environment. */
export interface SessionDeps extends ReleaseDeps {
  readonly session: ReleaseSession;
}

/**
 * Runs `body` in the environment's turn (a session of the release backend), ended however `body`
 * ends. Every command the body starts is tied to the session: the environment stays held while
 * its process group lives, so a release killed with kill -9 never lets a second driver run
 * beside the first one's orphans.
 */
export async function withEnvironmentLock<T>(
  settings: Pick<TargetSettings, 'environment' | 'lockTimeoutMs'>,
  plan: TurnPlan,
  deps: ReleaseDeps,
  body: (deps: SessionDeps) => Promise<T>,
): Promise<T> {
  deps.runner.prepare?.();
  const session = await deps.backend.begin(
    settings.environment,
    {
      pid: deps.run.pid,
      host: deps.run.host,
      ...(deps.run.actor ? { actor: deps.run.actor } : {}),
      ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
    },
    {
      timeoutMs: settings.lockTimeoutMs,
      plan,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onWait: (holder) =>
        deps.logger.info(
          `Waiting for the ${settings.environment} lock, held by pid ${holder.pid} on ${holder.host}${holder.actor ? ` (${holder.actor})` : ''} since ${holder.since}`,
        ),
    },
  );
  deps.onLocked?.(session.token);
  try {
    return await body({ ...deps, session, runner: guardedRunner(deps.runner, session) });
  } finally {
    // What happened stands even if the turn cannot be ended (GitHub down): the next release passes
    // an unended turn once its run or process is gone.
    await session
      .end()
      .catch((error: unknown) =>
        deps.logger.warning(
          `The ${settings.environment} lock could not be released (${(error as Error).message}): the next deploy passes it once this run has ended.`,
        ),
      );
  }
}

function guardedRunner(runner: CommandRunner, session: ReleaseSession): CommandRunner {
  if (!session.guard) return runner;
  const guard = session.guard.bind(session);
  return {
    run: (request) =>
      runner.run({
        ...request,
        onStart: (pid) => {
          guard(pid);
          request.onStart?.(pid);
        },
      }),
  };
}

/**
 * Records a finished deploy or rollback: an audit log entry, and (when a Pushgateway is
 * configured) its metrics. Called however the release ended; a failure here only warns.
 */
export async function recordFinish(
  deps: ReleaseDeps,
  settings: TargetSettings,
  entry: {
    readonly action: ReleaseKind;
    readonly version: string | null;
    readonly from: string | null;
    readonly result: string;
    readonly durationMs: number;
    readonly attempts: number;
  },
  verification: Verification | undefined,
): Promise<void> {
  await appendAudit(deps, { ...entry, environment: settings.environment });
  if (!settings.pushgatewayUrl) return;
  // Loaded only when a Pushgateway is configured: prom-client would otherwise weigh on every start.
  const { reportDeployMetrics } = await import('../metrics/report-metrics.ts');
  const failedProbes =
    verification?.health?.probes
      .filter((p) => p.verdict !== 'successful' && p.verdict !== 'stopped')
      .map((p) => p.name) ?? [];
  await reportDeployMetrics(
    settings.pushgatewayUrl,
    {
      environment: settings.environment,
      kind: entry.action,
      result: entry.result,
      durationSeconds: entry.durationMs / 1000,
      failedProbes,
      finishedAt: deps.clock.now(),
    },
    deps.logger,
  );
}
