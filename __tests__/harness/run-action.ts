import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ExpressionContext, evaluateDefault, loadAction, REPO_ROOT } from './action-metadata.ts';
import { LogReader, parseFileCommands, type WorkflowCommand } from './workflow-commands.ts';

/** The runner's cancel sequence (shared/RUNNER-CONTRACT.md): SIGINT, 7.5 s, SIGTERM, 2.5 s, kill the tree. */
export const CANCEL_SIGTERM_AFTER_MS = 7500;
export const CANCEL_KILL_AFTER_MS = 2500;

export interface StepOptions {
  /** The step's `with:` values. */
  readonly with?: Readonly<Record<string, string>>;
  /** Secrets known to the runner: masked in the log from the start, as `secrets.*` are. */
  readonly secrets?: readonly string[];
  /** Contexts for evaluating action.yml defaults (`${{ github.token }}`). */
  readonly expressions?: ExpressionContext;
  /** Extra environment (the step's `env:`). */
  readonly env?: Readonly<Record<string, string>>;
  /** The webhook payload behind GITHUB_EVENT_PATH. */
  readonly event?: unknown;
  readonly eventName?: string;
  /** Allow `with:` keys the action does not declare (the runner warns "Unexpected input(s)"). */
  readonly allowUnexpectedInputs?: boolean;
  /**
   * Start the runner's cancel sequence once a log line matches this, after this many ms, or
   * once a file (relative to the workspace) exists and is not empty: something the step
   * started is known to be running.
   */
  readonly cancelWhen?: RegExp | number | { readonly file: string };
  /**
   * Kill the step's whole process tree with SIGKILL once a log line matches, or once a file (an
   * absolute path) exists: a runner that lost patience, a crash, a machine that went away.
   */
  readonly killWhen?: RegExp | { readonly file: string };
  /** Called with every log line as it comes: the world changing under a step (a proxy restarted mid-release). */
  readonly onLine?: (line: string) => void;
  /** Reuse a workspace (e.g. a post step after main). */
  readonly workspace?: string;
  /** STATE_* for a post step. */
  readonly state?: Readonly<Record<string, string>>;
  /** Kill the step (and fail the test) if it runs longer than this. Default 60 s. */
  readonly hardTimeoutMs?: number;
  /** Read nothing of the step's stdout for this long at first (a runner busy elsewhere): its pipe fills. */
  readonly stallStdoutMs?: number;
}

export interface StepResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The step's outcome as the workflow sees it. */
  readonly outcome: 'success' | 'failure' | 'cancelled';
  readonly outputs: Record<string, string>;
  readonly env: Record<string, string>;
  readonly state: Record<string, string>;
  readonly path: string[];
  readonly summary: string;
  /** The log as shown on the run page (stdout and stderr, masked). */
  readonly log: string;
  readonly commands: readonly WorkflowCommand[];
  readonly warnings: readonly string[];
  readonly workspace: string;
  readonly runnerTemp: string;
  /** Time from spawn to exit. */
  readonly durationMs: number;
  /** When cancelled: which signals were sent before the step ended. */
  readonly cancelSignals: readonly string[];
  /** The step's inputs and contexts: the runner gives a post step the same inputs as its main step. */
  readonly step: Pick<StepOptions, 'with' | 'secrets' | 'expressions' | 'env' | 'event' | 'eventName'>;
}

/** Runs an action's `runs.main` as the GitHub runner does (see shared/RUNNER-CONTRACT.md). */
export function runStep(actionDir: string, options: StepOptions = {}): Promise<StepResult> {
  return runScript(actionDir, 'main', options);
}

/** Runs an action's `runs.post` in a new process with the main step's STATE_* values. */
export function runPostStep(
  actionDir: string,
  main: StepResult,
  options: StepOptions = {},
): Promise<StepResult> {
  return runScript(actionDir, 'post', {
    ...main.step,
    ...options,
    workspace: main.workspace,
    state: main.state,
  });
}

async function runScript(
  actionDir: string,
  stage: 'main' | 'post',
  options: StepOptions,
): Promise<StepResult> {
  const action = loadAction(actionDir);
  if (action.runs.using !== 'node24')
    throw new Error(`${actionDir}: runs.using is ${action.runs.using}, expected node24`);
  const script = stage === 'main' ? action.runs.main : action.runs.post;
  if (!script) throw new Error(`${actionDir} has no runs.${stage}`);
  const scriptPath = path.resolve(REPO_ROOT, actionDir, script);
  if (!existsSync(scriptPath)) throw new Error(`${scriptPath} does not exist: run npm run build`);

  const warnings: string[] = [];
  const declared = new Set((action.inputs ?? []).map((input) => input.id));
  const unexpected = Object.keys(options.with ?? {}).filter((key) => !declared.has(key));
  if (unexpected.length > 0) {
    if (!options.allowUnexpectedInputs)
      throw new Error(`${actionDir}: undeclared with: keys ${unexpected.join(', ')}`);
    warnings.push(
      `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${[...declared].join("', '")}']`,
    );
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'runner-'));
  const workspace = options.workspace ?? path.join(dir, 'workspace');
  const runnerTemp = path.join(dir, 'temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(runnerTemp, { recursive: true });
  const files = Object.fromEntries(
    ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'].map((name) => {
      const file = path.join(dir, `${name.toLowerCase()}_${stage}`);
      writeFileSync(file, '');
      return [name, file];
    }),
  ) as Record<string, string>;
  const eventPath = path.join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.event ?? {}));

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    ...runnerEnvironment(actionDir, workspace, runnerTemp, eventPath, options.eventName),
    ...files,
    ...options.env,
  };
  for (const input of action.inputs ?? []) {
    const given = options.with?.[input.id];
    const value =
      given ?? (input.default ? evaluateDefault(input.default, expressionContext(options, env)) : undefined);
    if (value !== undefined) env[`INPUT_${input.id.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const key of unexpected) env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = options.with![key]!;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;

  const reader = new LogReader(options.secrets, env.RUNNER_DEBUG === '1');
  const started = performance.now();
  // The runner's own Node runs the script (here: the Node 24 that npm put first on PATH).
  const child = spawn(process.execPath, [scriptPath], {
    cwd: workspace,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cancelSignals: string[] = [];
  const cancel = () => startCancel(child, cancelSignals);
  if (typeof options.cancelWhen === 'number') setTimeout(cancel, options.cancelWhen).unref();
  const watched = options.cancelWhen;
  if (watched && typeof watched === 'object' && 'file' in watched) {
    const file = path.join(workspace, watched.file);
    const look = setInterval(() => {
      if (cancelSignals.length > 0 || !existsSync(file) || readFileSync(file, 'utf8') === '') return;
      clearInterval(look);
      cancel();
    }, 10);
    child.once('close', () => clearInterval(look));
  }
  const killFile = options.killWhen && 'file' in options.killWhen ? options.killWhen.file : undefined;
  if (killFile) {
    const look = setInterval(() => {
      if (cancelSignals.length > 0 || !existsSync(killFile)) return;
      clearInterval(look);
      cancelSignals.push('SIGKILL');
      killTree(child);
    }, 5);
    child.once('close', () => clearInterval(look));
  }
  const hardTimeout = setTimeout(() => killTree(child), options.hardTimeoutMs ?? 60_000);
  const onLine = (line: string) => {
    reader.read(line);
    options.onLine?.(line);
    if (options.cancelWhen instanceof RegExp && options.cancelWhen.test(line) && cancelSignals.length === 0)
      cancel();
    if (options.killWhen instanceof RegExp && options.killWhen.test(line) && cancelSignals.length === 0) {
      cancelSignals.push('SIGKILL');
      killTree(child);
    }
  };
  readLines(child.stdout!, onLine);
  readLines(child.stderr!, onLine);
  if (options.stallStdoutMs) {
    child.stdout!.pause();
    setTimeout(() => child.stdout!.resume(), options.stallStdoutMs);
  }
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig])),
  );
  clearTimeout(hardTimeout);

  const read = (name: string) => readFileSync(files[name]!, 'utf8');
  return {
    exitCode,
    signal,
    outcome: cancelSignals.length > 0 ? 'cancelled' : exitCode === 0 ? 'success' : 'failure',
    outputs: parseFileCommands(read('GITHUB_OUTPUT'), 'GITHUB_OUTPUT'),
    env: parseFileCommands(read('GITHUB_ENV'), 'GITHUB_ENV'),
    state: parseFileCommands(read('GITHUB_STATE'), 'GITHUB_STATE'),
    path: read('GITHUB_PATH').split('\n').filter(Boolean),
    summary: read('GITHUB_STEP_SUMMARY'),
    log: reader.lines.join('\n'),
    commands: reader.commands,
    warnings,
    workspace,
    runnerTemp,
    durationMs: performance.now() - started,
    cancelSignals,
    step: {
      ...(options.with ? { with: options.with } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.expressions ? { expressions: options.expressions } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.event !== undefined ? { event: options.event } : {}),
      ...(options.eventName ? { eventName: options.eventName } : {}),
    },
  };
}

/** What `${{ }}` in a default can see: the test's contexts over the runner's own github context. */
function expressionContext(options: StepOptions, env: Record<string, string>): ExpressionContext {
  const github = {
    token: 'ghs_harness_default_token',
    repository: env.GITHUB_REPOSITORY!,
    repository_owner: env.GITHUB_REPOSITORY_OWNER!,
    run_id: env.GITHUB_RUN_ID!,
    server_url: env.GITHUB_SERVER_URL!,
    api_url: env.GITHUB_API_URL!,
    actor: env.GITHUB_ACTOR!,
    sha: env.GITHUB_SHA!,
    ref: env.GITHUB_REF!,
    event_name: env.GITHUB_EVENT_NAME!,
    workspace: env.GITHUB_WORKSPACE!,
  };
  return { ...options.expressions, github: { ...github, ...options.expressions?.github } };
}

function runnerEnvironment(
  actionDir: string,
  workspace: string,
  runnerTemp: string,
  eventPath: string,
  eventName = 'push',
) {
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '17',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'production',
    GITHUB_JOB: 'deploy',
    GITHUB_ACTION: actionDir.replace(/\W/g, '_'),
    GITHUB_ACTION_PATH: path.resolve(REPO_ROOT, actionDir),
    RUNNER_NAME: 'test-runner',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: path.join(runnerTemp, 'tool-cache'),
  };
}

/** SIGINT to the step's process, SIGTERM 7.5 s later, then the whole tree killed 2.5 s after that. */
function startCancel(child: ChildProcess, sent: string[]): void {
  const alive = () => child.exitCode === null && child.signalCode === null;
  sent.push('SIGINT');
  child.kill('SIGINT');
  setTimeout(() => {
    if (!alive()) return;
    sent.push('SIGTERM');
    child.kill('SIGTERM');
    setTimeout(() => {
      if (!alive()) return;
      sent.push('SIGKILL');
      killTree(child);
    }, CANCEL_KILL_AFTER_MS).unref();
  }, CANCEL_SIGTERM_AFTER_MS).unref();
}

/**
 * The runner's last resort: SIGKILL to the step's process and every descendant, found by
 * parent pid (so children that made process groups of their own go too), and to its group.
 */
function killTree(child: ChildProcess): void {
  if (!child.pid) return;
  const doomed = [child.pid, ...descendantsOf(child.pid)];
  for (const target of [-child.pid, ...doomed]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) onLine(part.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
  });
}
