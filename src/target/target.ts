import type { CommandRunner } from '../ports.ts';

/** The limits of a transfer to a target. */
export interface TargetRunOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** One entry of a directory on a target. */
export interface TargetEntry {
  readonly name: string;
  /** Modification time (ms since the epoch): a release's install time. */
  readonly mtimeMs: number;
}

/**
 * A machine a release acts on: the runner itself, or a host over SSH. Every effect on it goes
 * through here, so a driver written once works on both (DESIGN.md: Targets). Paths are absolute
 * on the target; no value is ever pasted into a shell line (remote calls quote each argument).
 */
export interface Target {
  /** `local`, or the host's name: for logs and messages. */
  readonly name: string;
  /**
   * Runs commands on the target: an argv as is, the user's own command line (their build or
   * restart) with `sh -c` there, in `cwd` there, with `env` added there; output streams back.
   */
  readonly runner: CommandRunner;
  exists(file: string): Promise<boolean>;
  /**
   * Makes the new directory `dir` hold `artifact` (a directory, or a .tar.gz, on the runner):
   * staged beside it and renamed, so it appears whole or not at all; its time is the install's.
   * `like`: the previous release, whose unchanged files a remote target may hard-link instead of
   * sending again (rsync --link-dest, when both sides have rsync).
   */
  install(
    artifact: string,
    dir: string,
    options?: TargetRunOptions & { readonly like?: string },
  ): Promise<void>;
  /** Where the symlink `link` points (absolute), or undefined when it is not a symlink. */
  readLink(link: string): Promise<string | undefined>;
  /** Points `link` at `target` atomically: a new symlink renamed over the old one. */
  switchLink(link: string, target: string): Promise<void>;
  /** The entries of `dir` (none when it does not exist). */
  list(dir: string): Promise<readonly TargetEntry[]>;
  /** `file` with every symlink resolved (itself when it does not exist). */
  realPath(file: string): Promise<string>;
  remove(file: string): Promise<void>;
}
