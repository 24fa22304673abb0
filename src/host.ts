import type { Clock, CommandRunner, GitHubApi, Logger, RunContext } from './ports.ts';
import type { Redactor } from './redactor.ts';

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
  /** A directory the user named (state-dir, incident-dir): `~` is the home; relative is from the workspace. */
  resolveDir(dir: string): string;
  /** A variable of the step's environment (preflight's secrets arrive this way); never logged. */
  readEnv(name: string): string | undefined;
  /** The one GitHub client for `token` (masked from here on). */
  github(token: string): Promise<GitHubApi>;
  /** Keeps the lock's token for a post step (the action runtime); the CLI has no post step. */
  onLocked?(token: string): void;
}
