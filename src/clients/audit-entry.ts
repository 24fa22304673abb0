import type { AuditLog, Clock, Logger, RunContext } from '../ports.ts';

/**
 * Appends one entry to the audit log with when, who, which run and where; a failure to write it
 * is said (a warning), never thrown: what the step did stands either way.
 */
export async function appendAudit(
  deps: {
    readonly audit: AuditLog;
    readonly clock: Clock;
    readonly run: RunContext;
    readonly logger: Logger;
  },
  entry: Readonly<Record<string, unknown>>,
): Promise<void> {
  try {
    await deps.audit.append({
      at: new Date(deps.clock.now()).toISOString(),
      ...entry,
      ...(deps.run.actor ? { actor: deps.run.actor } : {}),
      ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
      host: deps.run.host,
    });
  } catch (error) {
    deps.logger.warning(`The audit log entry could not be written: ${(error as Error).message}`);
  }
}
