/**
 * The effects the core may have, as small interfaces. The core never touches the process,
 * the runner or the network directly except through these (or through the clients in
 * src/clients, which take everything they need as arguments).
 */

/** Annotation properties as GitHub understands them; the CLI prints them inline. */
export interface AnnotationProperties {
  readonly title?: string;
  readonly file?: string;
  readonly line?: number;
}

export interface UntrustedStream {
  write(lines: readonly string[]): Promise<void> | undefined;
  end(): void;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string, properties?: AnnotationProperties): void;
  /** An error annotation; does not by itself fail the step. */
  error(message: string, properties?: AnnotationProperties): void;
  /** A collapsible section. Groups do not nest: the body should not open another. */
  group(title: string, body: () => void): void;
  /** Text from outside (a command's output, a response body): printed so it cannot run workflow commands. */
  untrusted(text: string): void;
  /**
   * The same for output that arrives in pieces (a deploy command's); call `end` when it stops.
   * `write` takes the lines of one piece as one write and returns a promise when the log's reader
   * is behind: wait for it before writing more, so a command never outruns the log.
   */
  untrustedStream(): UntrustedStream;
  /** Hides `secret` wherever it appears in later log output (each line of a multi-line value). */
  mask(secret: string): void;
}

export interface Clock {
  /** Milliseconds since the epoch, monotonic within a run where the implementation allows. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type CommandRequest = CommandOptions &
  (
    | {
        /** A shell command line the user wrote, run with `/bin/sh -c`. */
        readonly command: string;
      }
    | {
        /** A program and its arguments, run without a shell: values of ours go here, never into `command`. */
        readonly argv: readonly [string, ...string[]];
      }
  );

export interface CommandOptions {
  /** Extra variables on top of the runner's base environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kills the whole process tree after this long (SIGTERM, grace, SIGKILL). 0 = no limit. */
  readonly timeoutMs?: number;
  /** Kills the whole process tree when aborted. */
  readonly signal?: AbortSignal;
  /** Called with the process group's id once it started (a lock holds on while the group lives). */
  readonly onStart?: (pid: number) => void;
  /**
   * Called with each chunk of output as it arrives (stdout and stderr). When it returns a
   * promise, no more output is read until it settles: the command waits, its output is not lost.
   */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => Promise<void> | undefined | void;
  /**
   * The command's stdin stays an open pipe that nothing is written to, closed only when this
   * process ends or the command does: ssh's remote side learns from its end that we are gone
   * (kill -9 included) and stops what it ran.
   */
  readonly holdStdin?: boolean;
}

export interface CommandResult {
  /** Exit code, or null when the process was ended by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The last bytes of each stream (capped), for judging and reporting. */
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly durationMs: number;
  /** What was still in the command's process group after it exited and a grace to detach: stopped. */
  readonly leftovers?: readonly { readonly pid: number; readonly command: string }[];
  /** A process that left the group kept the command's output open: it is no longer read. */
  readonly outputHeld?: boolean;
}

export interface CommandRunner {
  run(request: CommandRequest): Promise<CommandResult>;
  /**
   * Loads what running a command needs, ahead of the first run: a release calls it before it may
   * wait for its turn, so that its driver starts the moment the turn comes.
   */
  prepare?(): void;
}

/** Reads a file the user named (a probes file, a config). Relative paths are the runtime's to resolve. */
export type ReadTextFile = (path: string) => string;

/**
 * How a release ended: verified good, marked bad, failed to deploy, cut short, or still under way;
 * blue-green with manual promotion: verified on its slot and waiting for `promote` (paused), or
 * stopped there by `abort` (aborted). Neither reached a user.
 */
export type ReleaseStatus = 'good' | 'bad' | 'failed' | 'interrupted' | 'deploying' | 'paused' | 'aborted';

/**
 * Blue-green: how far a release got, recorded before each step acts: its version being made to
 * run in its slot, verified there, a canary's share of traffic on it (some users reach it),
 * traffic switching to it (outcome unknown until the proxy is read), switched (users reach it). In place, only `live` (the driver went through).
 */
export type ReleasePhase = 'placing' | 'verifying' | 'canary' | 'switching' | 'live';

/** What a release does: deploy a version, roll back to one, or promote the one paused on its slot. */
export type ReleaseKind = 'deploy' | 'rollback' | 'promote';

/**
 * What a turn on an environment is for, before the record is read: a release (its version when
 * the caller names it; a rollback to "the last good one" or a promotion learn theirs under the
 * lock), or a control that records no release of its own (abort, scale-down).
 */
export interface TurnPlan {
  readonly kind: ReleaseKind | 'abort' | 'scale-down';
  readonly version?: string;
}

/** One deploy (or rollback) of a version to an environment, as the history records it. */
export interface ReleaseRecord {
  /** The backend's own id of this release, when it has one (a GitHub deployment's id). */
  readonly id?: string;
  readonly version: string;
  readonly status: ReleaseStatus;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly actor?: string;
  readonly runner?: string;
  readonly runUrl?: string;
  readonly attempts?: number;
  /** Why it is not good, in words. */
  readonly reason?: string;
  /** `rollback` when this release restored an earlier version; `promote` when it switched to a paused one. */
  readonly kind?: ReleaseKind;
  /** Blue-green: the slot this release's version was made to run in. */
  readonly slot?: string;
  /**
   * Blue-green: the step it was at when it last recorded. A finished release left at `switching`
   * is one whose switch could not be read back: what users reach was unknown when it ended.
   */
  readonly phase?: ReleasePhase;
  /**
   * It stopped before any user could reach it (rejected on its slot, interrupted before the
   * switch, refused before the driver ran): what users reach is what the releases before it left.
   */
  readonly neverLive?: boolean;
  /** Blue-green: its slot was stopped after the next release (scale-down-delay): not warm any more. */
  readonly stopped?: boolean;
  /** Canary (phase canary): the step it is at (0-based) and the canary's share of traffic there. */
  readonly canary?: { readonly step: number; readonly weight: number };
}

/** What is known of one environment. The stores keep it; the steps decide over it. */
export interface EnvironmentState {
  readonly environment: string;
  /** The version serving now, as far as the last finished deploy knows. */
  readonly current?: string;
  readonly previous?: string;
  readonly deployStart?: string;
  readonly lastDeployTimestamp?: string;
  /** Oldest first, capped. */
  readonly releases: readonly ReleaseRecord[];
  /** Hosts (rolling): what each runs, as last seen by a release. */
  readonly hosts?: Readonly<Record<string, HostRecord>>;
}

/** One host of a fleet, as the releases that reached it left it. */
export interface HostRecord {
  readonly version?: string;
  /** When it got that version (or was last changed). */
  readonly since: string;
  /** Its version passed the probes that name it, on its own address. */
  readonly verified: boolean;
  /** In the load balancer's rotation (ready), or taken out (drained). */
  readonly inRotation: boolean;
}

/** Who holds (or waits for) an environment's lock: enough to tell a person whom to ask. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly actor?: string;
  readonly runUrl?: string;
  readonly since: string;
}

/**
 * A release's hold on an environment: its turn in the queue, and the record it writes. Shaped like
 * a GitHub deployment: begun (queued, waiting its turn), in progress, finished with a status.
 */
export interface ReleaseSession {
  /** Identifies the session (kept in GITHUB_STATE so a post step can end one its main step left). */
  readonly token: string;
  read(): Promise<EnvironmentState>;
  /** Atomic: a reader sees the old state or the new one, never a mix. */
  write(state: EnvironmentState): Promise<void>;
  /**
   * Ties a process group the session started to it: while the group lives the environment stays
   * held, even if this process was killed (its driver's orphans would otherwise run beside the next
   * release's).
   */
  guard?(processGroup: number): void;
  /** Leaves the queue: the next release may begin. */
  end(): Promise<void>;
}

/**
 * Where an environment's releases are queued and recorded: files in state-dir, or GitHub
 * Deployments. Releases are served one at a time in arrival order, none dropped; a holder that
 * died is detected and passed. A record that cannot be read is an error, never an empty one.
 */
export interface ReleaseBackend {
  /** The environment's record as it stands (status, a dry run). */
  read(environment: string): Promise<EnvironmentState>;
  /** Who holds the environment now, if anyone. */
  holder(environment: string): Promise<LockOwner | undefined>;
  /**
   * Queues a turn on the environment and resolves when it comes (or rejects after `timeoutMs`).
   * `plan` says what the turn is for, as far as it is known before the record is read.
   */
  begin(
    environment: string,
    owner: Omit<LockOwner, 'since'>,
    options: {
      timeoutMs: number;
      plan: TurnPlan;
      signal?: AbortSignal;
      onWait?: (holder: LockOwner) => void;
    },
  ): Promise<ReleaseSession>;
  /**
   * A post step after its main step was killed: ends the session `token` if it is still open,
   * its release recorded by `settle` (interrupted, live and unverified). False if it was closed.
   */
  endAbandoned(
    environment: string,
    token: string,
    settle: (state: EnvironmentState) => EnvironmentState,
  ): Promise<boolean>;
}

/** An append-only record of every deploy and rollback: who, what, where, when, result, duration, attempts. */
export interface AuditLog {
  append(entry: Readonly<Record<string, unknown>>): Promise<void>;
}

/** An open incident found by its marker, whatever its title became. */
export interface IncidentRef {
  readonly number: number;
  readonly url: string;
}

export interface IssueTracker {
  findOpenIncident(environment: string): Promise<IncidentRef | undefined>;
  openIncident(
    environment: string,
    title: string,
    body: string,
    assignees: readonly string[],
  ): Promise<IncidentRef>;
  comment(incident: IncidentRef, body: string): Promise<void>;
  close(incident: IncidentRef, body: string): Promise<void>;
}

/** Writes a file the user asked for (a report). Relative paths are the runtime's to resolve. */
export type WriteTextFile = (path: string, text: string) => void;

/** Who and where this run is: recorded in state, locks and the audit log. */
export interface RunContext {
  readonly actor?: string;
  readonly runner?: string;
  readonly runUrl?: string;
  /** The workflow run and attempt (GitHub Actions only): a deploy whose run has ended holds nothing. */
  readonly runId?: string;
  readonly runAttempt?: string;
  readonly host: string;
  readonly pid: number;
}

/** A repository on GitHub (or GitHub Enterprise Server). */
export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
}

/** An answer from GitHub's REST API, as octokit gives it. */
export interface GitHubResponse<T = unknown> {
  readonly status: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string | number | undefined>>;
}

/**
 * GitHub's REST API, one documented route per call (`'POST /repos/{owner}/{repo}/issues'`),
 * as octokit.request offers it. The runtime gives one client with retries for outages and
 * waits for rate limits; a failure that remains throws an error with `status` and `response`.
 */
export interface GitHubApi {
  request(route: string, parameters?: Readonly<Record<string, unknown>>): Promise<GitHubResponse>;
}
