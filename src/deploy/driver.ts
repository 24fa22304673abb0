import { formatHostPort, type HostPort } from '../addresses.ts';
import { formatDuration } from '../durations.ts';
import { digestOf } from '../model/image.ts';
import type { Slot } from '../model/release.ts';
import type { CommandRequest, CommandResult, CommandRunner, Logger } from '../ports.ts';

export interface DriverRequest {
  readonly version: string;
  readonly environment: string;
  readonly previous?: string;
  readonly attempt: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Blue-green: the slot to make the version run in (the driver gets DEPLOY_SLOT and its address). */
  readonly slot?: Slot;
  /** hosts: the host this run is for (the driver gets DEPLOY_HOST, its address and DEPLOY_SSH). */
  readonly host?: DriverHost;
  /** Rolling with ansible: the batch's hosts, for --limit. */
  readonly limit?: readonly string[];
}

/** A remote host as a driver sees it. */
export interface DriverHost {
  readonly name: string;
  /** user@host:port, as ssh takes it (absent: ansible reaches it). */
  readonly ssh?: string;
  readonly address?: HostPort;
}

/** What an attempt did, for the log, the outputs and the report. */
export interface DriverResult {
  readonly summary: string;
  readonly facts?: Readonly<Record<string, number | string>>;
}

/** Deploys one version one way. An attempt that fails in a way that may pass throws AttemptFailedError. */
export interface DeployDriver {
  readonly name: string;
  /** One line for the dry-run plan: what would run. */
  plan(version: string): string;
  run(request: DriverRequest): Promise<DriverResult>;
  /** Ends what the driver holds for the release (its SSH connections, its key on disk). */
  close?(): Promise<void>;
  /** Over SSH: connects to every host before any is changed; why one cannot be reached, or undefined. */
  reach?(signal: AbortSignal): Promise<string | undefined>;
  /** For a dry run, where the tool has one (ansible --check --diff): shows what would change, changes nothing. */
  checkRun?(request: Omit<DriverRequest, 'attempt'>): Promise<DriverResult>;
}

/** One attempt failed (non-zero exit, timeout): worth another try. */
export class AttemptFailedError extends Error {
  override readonly name = 'AttemptFailedError';
  readonly facts?: Readonly<Record<string, number | string>>;
  constructor(message: string, facts?: Readonly<Record<string, number | string>>) {
    super(message);
    if (facts) this.facts = facts;
  }
}

/** The deploy's variables, for commands and hooks. */
export function deployEnv(
  request: Pick<DriverRequest, 'version' | 'environment' | 'previous' | 'slot' | 'host'>,
): Record<string, string> {
  const { slot, host } = request;
  return {
    DEPLOY_VERSION: request.version,
    // An image release: the digest it was pinned to (registry/name@sha256:…), never a tag.
    ...(digestOf(request.version) ? { DEPLOY_IMAGE: request.version } : {}),
    DEPLOY_ENVIRONMENT: request.environment,
    DEPLOY_PREVIOUS_VERSION: request.previous ?? '',
    ...(slot
      ? {
          DEPLOY_SLOT: slot.name,
          DEPLOY_SLOT_ADDRESS: formatHostPort(slot),
          DEPLOY_SLOT_PORT: String(slot.port),
        }
      : {}),
    ...(host
      ? {
          DEPLOY_HOST: host.name,
          DEPLOY_HOST_ADDRESS: host.address ? formatHostPort(host.address) : '',
          DEPLOY_SSH: host.ssh ?? '',
        }
      : {}),
  };
}

/**
 * Runs a command of the deploy (the driver's, a hook) with its output streamed to the log as
 * untrusted text, and turns a failure into a sentence: which exit code, or that it timed out
 * and its process tree was killed.
 */
export async function runLogged(
  runner: CommandRunner,
  logger: Logger,
  what: string,
  request: CommandRequest,
): Promise<CommandResult & { failure?: string }> {
  const stream = logger.untrustedStream();
  let pending = '';
  const result = await runner.run({
    ...request,
    onOutput: (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      const shown = lines.map(clipLine);
      // A line that never ends (one 50 MB line) is shown in pieces, never held whole.
      if (pending.length > MAX_LINE) {
        shown.push(`${pending.slice(0, MAX_LINE)}…`);
        pending = '';
      }
      return shown.length > 0 ? stream.write(shown) : undefined;
    },
  });
  if (pending) stream.write([pending]);
  stream.end();
  // Named in the log only: a command line may hold what must never be recorded. SSH's own
  // connection masters (ansible's ControlPersist) are expected leftovers, stopped without a word.
  const left = result.leftovers?.filter((p) => !/^ssh: .*\[mux\]$/.test(p.command)) ?? [];
  if (left.length > 0)
    logger.warning(
      `${what} left ${left.map((p) => `\`${p.command}\` (pid ${p.pid})`).join(', ')} in its process group: stopped. Start services with systemd, docker or \`setsid -f\` (output redirected), so they leave the command's group`,
    );
  if (result.outputHeld)
    logger.warning(
      `${what} exited, but a process it started keeps its output open: that output is no longer read (redirect a service's output, e.g. \`setsid -f app > app.log 2>&1\`)`,
    );
  if (result.exitCode === 0 && !result.aborted && !result.timedOut) return result;
  const how = howItEnded(result, request.timeoutMs);
  if (result.aborted || result.timedOut) return { ...result, failure: `${what} ${how}` };
  const tail = result.stderr.trim().split('\n').at(-1) ?? '';
  return { ...result, failure: `${what} ${how}${tail ? `${OUTPUT_QUOTE}${tail}` : ''}` };
}

/** How a command that did not succeed ended, in words: stopped, timed out, killed by a signal, or its exit code. */
export function howItEnded(result: CommandResult, timeoutMs?: number): string {
  if (result.aborted) return 'was stopped (process tree killed)';
  if (result.timedOut) return `timed out after ${formatDuration(timeoutMs ?? 0)} (process tree killed)`;
  return result.exitCode === null ? `was killed by ${result.signal}` : `exited ${result.exitCode}`;
}

/** The longest line of a command's output the log shows whole. */
const MAX_LINE = 16 * 1024;

function clipLine(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

/**
 * Where a failure message starts quoting a command's output. The log shows it (the runner masks
 * the workflow's secrets there); what is recorded (state, audit log, GitHub) drops it, since a
 * command may print a secret nobody told us about.
 */
const OUTPUT_QUOTE = ': ';

/** `reason` without the command output it quotes. */
export function withoutOutput(reason: string): string {
  // The quote is always the end of a driver's failure (and of the retries' summary of it).
  return reason.replace(/((?:exited \d+|was killed by \w+)): .*$/s, '$1');
}
