import { lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isInside, readRegularFile, writeOwned } from './clients/owned-files.ts';
import { ProcessRunner } from './clients/process-runner.ts';
import { systemClock } from './clients/system-clock.ts';
import type { Clock, CommandRunner, GitHubApi, Logger, RunContext } from './ports.ts';
import { Redactor } from './redactor.ts';

/**
 * What a face (the action runtime, the CLI) gives the core. Every step's dependencies are built
 * from it in one place (src/wiring.ts), so the two faces cannot wire the core two ways.
 */
export interface Host {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly redactor: Redactor;
  readonly signal: AbortSignal;
  readonly run: RunContext;
  readFile(file: string): string;
  writeFile(file: string, text: string): void;
  /** Whether the user may name `file` to be written here; the reason when not. */
  unwritable(file: string): string | undefined;
  /** A directory the user named (state-dir, incident-dir): `~` is the home; relative is from the workspace. */
  resolveDir(dir: string): string;
  /** A variable of the step's environment (preflight's secrets arrive this way); never logged. */
  readEnv(name: string): string | undefined;
  /** The one GitHub client for `token` (masked from here on). */
  github(token: string): Promise<GitHubApi>;
  /** Keeps the lock's token for a post step (the action runtime); the CLI has no post step. */
  onLocked?(token: string): void;
}

/** What differs between the faces' hosts; createHost makes the rest the same for both. */
export interface HostParts {
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly run: RunContext;
  /** Where relative paths start: the workspace (actions) or the working directory (the CLI). */
  readonly baseDir: string;
  /** The process's environment: commands start from it, readEnv reads it, GITHUB_API_URL comes from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Where files the user names may be written, besides `baseDir` (the action runtime: the runner's
   * temp directory). Absent: anywhere (the CLI writes where its user says).
   */
  readonly writableDirs?: readonly string[];
  /** The fetch GitHub calls go through (the runner's proxy-aware one), loaded when first needed. */
  readonly githubFetch?: () => Promise<typeof fetch | undefined>;
  readonly onLocked?: (token: string) => void;
}

/** A file the user named would be written outside where the step may write. */
export class OutsideWorkspaceError extends Error {
  override readonly name = 'OutsideWorkspaceError';
}

/** A host on this machine: its processes, its clock, files from `baseDir` (`~` the home). */
export function createHost(parts: HostParts): Host {
  const redactor = new Redactor(parts.logger);
  const resolve = (file: string) => path.resolve(parts.baseDir, file);
  const allowed =
    parts.writableDirs && [parts.baseDir, ...parts.writableDirs].map((dir) => path.resolve(dir));
  // Judged on resolved paths: a symlinked directory in the workspace does not lead the write out of it.
  const unwritable = (file: string) => {
    const target = resolve(file);
    if (isSymbolicLink(target)) return `"${file}" is a symbolic link: a report is never written through one`;
    if (!allowed || isInside(target, allowed)) return undefined;
    return `"${file}" is outside the workspace (${parts.baseDir}) and the runner's temp directory`;
  };
  return {
    logger: parts.logger,
    clock: systemClock,
    runner: new ProcessRunner({ baseEnv: parts.env }),
    redactor,
    signal: parts.signal,
    run: parts.run,
    readFile: (file) => readRegularFile(resolve(file)),
    writeFile: (file, text) => {
      const outside = unwritable(file);
      if (outside) throw new OutsideWorkspaceError(outside);
      writeOwned(resolve(file), text);
    },
    unwritable,
    resolveDir: (dir) =>
      dir === '~' || dir.startsWith('~/') ? path.join(homedir(), dir.slice(1)) : resolve(dir),
    readEnv: (name) => parts.env[name],
    github: async (token) => {
      redactor.add(token);
      // Loaded on first use: only GitHub-facing work pays for octokit.
      const [{ createGitHubClient }, fetch] = await Promise.all([
        import('./github/github-client.ts'),
        parts.githubFetch?.(),
      ]);
      const baseUrl = parts.env.GITHUB_API_URL || 'https://api.github.com';
      return createGitHubClient({ token, baseUrl, logger: parts.logger, ...(fetch ? { fetch } : {}) });
    },
    ...(parts.onLocked ? { onLocked: parts.onLocked } : {}),
  };
}

function isSymbolicLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
