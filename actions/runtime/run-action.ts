import { hostname } from 'node:os';
import * as core from '@actions/core';
import {
  ConfigurationError,
  createHost,
  describeError,
  type Host,
  type InputSpecs,
  InterruptedError,
  type OutputSpecs,
  type RawInputs,
  RecordBoundary,
  type RunContext,
} from '../../src/entries/runtime.ts';
import { githubLogger } from './github-logger.ts';

/** What an adapter gets: the host the core is wired from, and the step's faces. */
export interface ActionContext {
  readonly host: Host;
  readInputs(specs: InputSpecs): RawInputs;
  /** Saves values for this action's post step (GITHUB_STATE), read back there with `savedState`. */
  saveState(values: Readonly<Record<string, string>>): void;
  savedState(name: string): string;
  /** Outputs, through the record boundary (no secret, no credential-shaped text). */
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
  const host = createHost({
    logger: githubLogger,
    signal: cancel.signal,
    run: runContext(),
    baseDir: process.env.GITHUB_WORKSPACE || process.cwd(),
    // A path input (report-file) writes inside the workspace or the runner's temp directory only.
    writableDirs: process.env.RUNNER_TEMP ? [process.env.RUNNER_TEMP] : [],
    env: process.env,
    // The runner's proxy settings, as @actions/github honours them.
    githubFetch: async () =>
      (await import('@actions/github/lib/utils')).defaults.request?.fetch as typeof fetch,
    onLocked: (token) => core.saveState('lock-token', token),
  });
  const { redactor } = host;
  const boundary = new RecordBoundary(redactor);
  const context: ActionContext = {
    host,
    saveState: (values) => {
      for (const [name, value] of Object.entries(values)) core.saveState(name, value);
    },
    savedState: (name) => core.getState(name),
    readInputs: (specs) =>
      Object.fromEntries(Object.keys(specs).map((input) => [input, core.getInput(input)])),
    setOutputs: (specs, values) => {
      for (const output of Object.keys(specs)) core.setOutput(output, boundary.text(values[output]!));
    },
    appendSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY)
        await core.summary.addRaw(withinSummaryLimit(boundary.text(markdown)), true).write();
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

/** GitHub shows at most 1 MiB of a step's summary and drops one that is larger. */
const SUMMARY_LIMIT = 1024 * 1024 - 4096;

/** The summary, cut at a line before GitHub's limit, saying where the rest is. */
export function withinSummaryLimit(markdown: string): string {
  if (Buffer.byteLength(markdown) <= SUMMARY_LIMIT) return markdown;
  let cut = Buffer.from(markdown).subarray(0, SUMMARY_LIMIT).toString('utf8');
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  return `${cut}\n\n… The summary is cut here: GitHub keeps 1 MiB of a step's summary. The \`report\` output has everything.\n`;
}

/** Who and where, as the runner says: actor, runner, the run's page and attempt, host, pid. */
function runContext(): RunContext {
  const env = process.env;
  return {
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
    ...(env.RUNNER_NAME ? { runner: env.RUNNER_NAME } : {}),
    ...(env.GITHUB_RUN_ID
      ? {
          runUrl: `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`,
          runId: env.GITHUB_RUN_ID,
          runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
        }
      : {}),
    host: hostname(),
    pid: process.pid,
  };
}

function describeFailure(name: string, error: unknown): string {
  if (error instanceof ConfigurationError) return error.message;
  if (error instanceof InterruptedError) return `${name}: ${error.message.replace(/\.$/, '')}.`;
  return `${name} failed: ${describeError(error)}`;
}
