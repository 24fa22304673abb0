import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import {
  abortStep,
  createHost,
  deployStep,
  type Host,
  healthCheckStep,
  incidentStep,
  loadExporter,
  parseExporterSettings,
  parseStatusSettings,
  pipelineStep,
  preflightStep,
  promoteImageStep,
  promoteStep,
  type RawInputs,
  RecordBoundary,
  recordReader,
  renderStatusText,
  retentionStep,
  rollbackStep,
  runnerGateStep,
  runScaleDownCommand,
  runStatus,
  type Step,
} from '../src/index.ts';
import type { ConsoleLogger } from './console-logger.ts';

/** What a command hands back: its exit code, a report for --json, and lines for people. */
export interface CommandOutcome {
  readonly ok: boolean;
  readonly report: unknown;
  readonly text: string;
  /** Printed as an error when the command did not succeed. */
  readonly failure?: string;
  /** Why it did not succeed, when that is not a plain failure: bad input (exit 2) or a cancel (exit 130). */
  readonly exit?: 'bad-input' | 'interrupted';
}

export interface CommandContext {
  readonly logger: ConsoleLogger;
  readonly signal: AbortSignal;
  readonly cwd: string;
}

type Command = (raw: RawInputs, context: CommandContext) => Promise<CommandOutcome>;

/**
 * An input whose default is a GitHub expression (`${{ github.token }}`) takes, outside GitHub,
 * the variable the runner would have set: GITHUB_TOKEN (or GH_TOKEN), GITHUB_REPOSITORY, GITHUB_SHA …
 */
export function fillGitHubDefaults(
  inputs: Readonly<Record<string, { readonly default?: string }>>,
  raw: RawInputs,
  env: Readonly<Record<string, string | undefined>>,
): RawInputs {
  const filled: Record<string, string | undefined> = { ...raw };
  for (const [name, spec] of Object.entries(inputs)) {
    const variable = githubVariableOf(spec.default);
    if (!variable || filled[name]) continue;
    filled[name] = env[variable] || (variable === 'GITHUB_TOKEN' ? env.GH_TOKEN : undefined);
  }
  return filled;
}

/** The variable the runner sets for a `${{ github.x }}` default (GITHUB_X), if that is what it is. */
export function githubVariableOf(fallback: string | undefined): string | undefined {
  const field = /^\$\{\{\s*github\.(\w+)\s*\}\}$/.exec(fallback ?? '')?.[1];
  return field ? `GITHUB_${field.toUpperCase()}` : undefined;
}

/**
 * The CLI's host: the terminal's logger, this machine's processes, paths from the working
 * directory (`~` the home), the environment, and GitHub at GITHUB_API_URL. The core is wired from
 * it exactly as from the action runtime's.
 */
function hostFor(context: CommandContext): Host {
  return createHost({
    logger: context.logger,
    signal: context.signal,
    run: runContext(),
    baseDir: context.cwd,
    env: process.env,
  });
}

/** Who and where, outside GitHub: the user, this host, and the CI job's page when there is one. */
function runContext() {
  const host = hostname();
  const runUrl = process.env.BUILD_URL || process.env.CI_JOB_URL;
  return { actor: userInfo().username, runner: host, host, pid: process.pid, ...(runUrl ? { runUrl } : {}) };
}

/** A report for --json, through the record boundary like every output. */
function reported(host: Host, report: unknown): unknown {
  return new RecordBoundary(host.redactor).value(report);
}

/**
 * Outside GitHub with no token, `run` writes incidents as Markdown under state-dir/incidents
 * unless an incident target was chosen: a laptop or Jenkins rehearsal should not fail for want
 * of GitHub.
 */
function withLocalIncidents(raw: RawInputs, host: Host): RawInputs {
  if (raw.incident || raw['github-token']) return raw;
  const dir =
    raw['incident-dir'] || path.join(host.resolveDir(raw['state-dir'] || '~/.deploy-actions'), 'incidents');
  host.logger.info(`No GitHub token: incidents go to Markdown files in ${dir} (set --incident to choose).`);
  return { ...raw, incident: 'file', 'incident-dir': dir };
}

/** A CLI command that is an action's step: flags for inputs, the step's outcome for the terminal. */
function fromStep<S>(step: Step<S>, prepare: (raw: RawInputs, host: Host) => RawInputs = (raw) => raw) {
  return async (raw: RawInputs, host: Host): Promise<CommandOutcome> => {
    const outcome = await step.run(await step.parse(prepare(raw, host), host), host);
    return {
      ok: outcome.ok,
      report: reported(host, outcome.report),
      text: outcome.text ?? (outcome.ok ? outcome.message : ''),
      ...(outcome.ok ? {} : { failure: outcome.message }),
      ...(outcome.exit ? { exit: outcome.exit } : {}),
    };
  };
}

/** Each command, given the CLI's host (see hostFor). */
const commands: Readonly<Record<string, (raw: RawInputs, host: Host) => Promise<CommandOutcome>>> = {
  'health-check': fromStep(healthCheckStep),
  deploy: fromStep(deployStep),
  rollback: fromStep(rollbackStep),
  promote: fromStep(promoteStep),
  abort: fromStep(abortStep),
  'promote-image': fromStep(promoteImageStep),
  'registry-retention': fromStep(retentionStep),
  preflight: fromStep(preflightStep),
  gate: fromStep(runnerGateStep),
  incident: fromStep(incidentStep),
  run: fromStep(pipelineStep, withLocalIncidents),
  exporter: async (raw, host) => {
    const settings = parseExporterSettings(raw, hostname());
    // The exporter (and prom-client) load only for this command.
    const { runExporter } = await loadExporter();
    await runExporter(settings, host);
    return { ok: true, report: { stopped: true }, text: '' };
  },
  'scale-down': async (raw, host) => {
    const outcome = await runScaleDownCommand(raw, host);
    return { ok: true, report: outcome, text: outcome.message };
  },
  status: async (raw, host) => {
    const settings = parseStatusSettings(raw);
    const { backend, source } = await recordReader(host, settings);
    const report = await runStatus(settings, backend, source);
    return { ok: true, report: reported(host, report), text: renderStatusText(report) };
  },
};

export const COMMAND_RUNNERS: Readonly<Record<string, Command>> = Object.fromEntries(
  Object.entries(commands).map(([name, run]) => [
    name,
    (raw: RawInputs, context: CommandContext) => run(raw, hostFor(context)),
  ]),
);
