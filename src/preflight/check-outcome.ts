import type { CommandRunner, EnvironmentState, Logger } from '../ports.ts';
import type { Amount } from '../settings/preflight.ts';

/** What one check found. `detail` never holds a secret's value. */
export interface CheckOutcome {
  readonly ok: boolean;
  readonly detail: string;
  /** For a failure: what to do about it. */
  readonly fix?: string;
}

export interface PreflightDeps {
  readonly runner: CommandRunner;
  /** The environment's release record (for not-bad checks). */
  readonly readState: (environment: string) => Promise<EnvironmentState>;
  /** An environment variable of the step (secrets arrive this way); never logged. */
  readonly readEnv: (name: string) => string | undefined;
  /** Registers a secret value for masking. */
  readonly mask: (value: string) => void;
  /** Where a check's command output goes: the log only, never a detail (details are recorded). */
  readonly logger?: Pick<Logger, 'untrusted'>;
}

export const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
export const fail = (detail: string, fix: string): CheckOutcome => ({ ok: false, detail, fix });

export function judgeFree(
  what: string,
  free: number,
  total: number,
  min: Amount,
  resource: string,
): CheckOutcome {
  const percent = (100 * free) / total;
  const shown = `${what}: ${formatBytes(free)} free (${percent.toFixed(1)}%)`;
  const enough = 'bytes' in min ? free >= min.bytes : percent >= min.percent;
  const wanted = 'bytes' in min ? formatBytes(min.bytes) : `${min.percent}%`;
  return enough
    ? pass(`${shown}, at least ${wanted} needed`)
    : fail(`${shown}, less than the ${wanted} needed`, `free ${resource}`);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 10 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}
