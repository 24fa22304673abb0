import { readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import {
  ConfigurationError,
  describeError,
  type GitHubApi,
  type InputSpecs,
  InterruptedError,
  type OutputSpecs,
  ProcessRunner,
  type RawInputs,
  Redactor,
  type RunContext,
  systemClock,
} from '../../src/entries/runtime.ts';
import { githubLogger } from './github-logger.ts';

/** What an adapter gets: the core's dependencies, wired to the runner, and the step's faces. */
export interface ActionContext {
  readonly deps: {
    readonly logger: typeof githubLogger;
    readonly clock: typeof systemClock;
    readonly runner: ProcessRunner;
    readonly redactor: Redactor;
    readonly signal: AbortSignal;
    readonly readFile: (file: string) => string;
    readonly writeFile: (file: string, text: string) => void;
  };
  /** The one GitHub client (loaded on first use: only GitHub-facing actions pay for octokit). */
  github(token: string): Promise<GitHubApi>;
  /** Who and where: actor, runner, run URL, host, pid. */
  readonly run: RunContext;
  readInputs(specs: InputSpecs): RawInputs;
  /** A path with a leading `~` made the runner user's home (state-dir defaults to ~/.deploy-actions). */
  expandHome(file: string): string;
  /** Saves values for this action's post step (GITHUB_STATE), read back there with `savedState`. */
  saveState(values: Readonly<Record<string, string>>): void;
  savedState(name: string): string;
  setOutputs<O extends OutputSpecs>(specs: O, values: { readonly [K in keyof O]: string }): void;
  appendSummary(markdown: string): Promise<void>;
  /**
   * Fails the step: an error annotation (with a title, when given) and exit code 1, as
   * core.setFailed does; the process still ends normally, so pending writes complete.
   */
  fail(message: string, title?: string): void;
}

/**
 * The one boundary between an action and the runner: wires the core to @actions/core, turns
 * SIGINT/SIGTERM (the runner's cancel) into an abort, and maps every error to a failed step
 * with a clear message. A user's mistake never prints a stack trace.
 */
export async function runAction(name: string, body: (action: ActionContext) => Promise<void>): Promise<void> {
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    githubLogger.warning(`${name}: received ${signal}, stopping (the runner is cancelling this step)`);
    cancel.abort(new InterruptedError(`cancelled by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const redactor = new Redactor(githubLogger);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const resolve = (file: string) => path.resolve(workspace, file);
  const context: ActionContext = {
    deps: {
      logger: githubLogger,
      clock: systemClock,
      runner: new ProcessRunner({ baseEnv: process.env }),
      redactor,
      signal: cancel.signal,
      readFile: (file) => readFileSync(resolve(file), 'utf8'),
      writeFile: (file, text) => writeFileSync(resolve(file), text),
    },
    run: {
      ...(process.env.GITHUB_ACTOR ? { actor: process.env.GITHUB_ACTOR } : {}),
      ...(process.env.RUNNER_NAME ? { runner: process.env.RUNNER_NAME } : {}),
      ...(process.env.GITHUB_RUN_ID
        ? {
            runUrl: `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`,
          }
        : {}),
      ...(process.env.GITHUB_RUN_ID
        ? { runId: process.env.GITHUB_RUN_ID, runAttempt: process.env.GITHUB_RUN_ATTEMPT || '1' }
        : {}),
      host: hostname(),
      pid: process.pid,
    },
    github: async (token) => {
      redactor.add(token);
      const { createGitHubClient } = await import('./github-client.ts');
      const baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
      return createGitHubClient({ token, baseUrl, logger: githubLogger });
    },
    expandHome: (file) =>
      file === '~' || file.startsWith('~/') ? path.join(homedir(), file.slice(1)) : resolve(file),
    saveState: (values) => {
      for (const [name, value] of Object.entries(values)) core.saveState(name, value);
    },
    savedState: (name) => core.getState(name),
    readInputs: (specs) =>
      Object.fromEntries(Object.keys(specs).map((input) => [input, core.getInput(input)])),
    setOutputs: (specs, values) => {
      for (const output of Object.keys(specs)) core.setOutput(output, redactor.redact(values[output]!));
    },
    appendSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(redactor.redact(markdown), true).write();
    },
    fail: (message, title) => {
      core.error(redactor.redact(message), title ? { title: redactor.redact(title) } : undefined);
      process.exitCode = 1;
    },
  };
  try {
    await body(context);
  } catch (error) {
    context.fail(describeFailure(name, error));
    const expected = error instanceof ConfigurationError || error instanceof InterruptedError;
    if (!expected && error instanceof Error && error.stack) core.debug(error.stack);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function describeFailure(name: string, error: unknown): string {
  if (error instanceof ConfigurationError) return error.message;
  if (error instanceof InterruptedError) return `${name}: ${error.message.replace(/\.$/, '')}.`;
  return `${name} failed: ${describeError(error)}`;
}
