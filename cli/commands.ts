import { readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import path from 'node:path';
import { createGitHubClient } from '../actions/runtime/github-client.ts';
import {
  chooseIncidentTracker,
  createBackends,
  createFileBackends,
  type DeploySettings,
  FileStateStore,
  GitHubDeployments,
  GitHubIssueTracker,
  loadExporter,
  ProcessRunner,
  parseDeploySettings,
  parseExporterSettings,
  parseHealthCheckSettings,
  parseIncidentSettings,
  parsePipelineSettings,
  parsePreflightSettings,
  parseRollbackSettings,
  parseRunnerGateSettings,
  parseStatusSettings,
  type RawInputs,
  Redactor,
  type RollbackSettings,
  renderPipelineText,
  renderStatusText,
  runDeploy,
  runHealthCheck,
  runIncident,
  runPipeline,
  runPreflight,
  runRollback,
  runRunnerGate,
  runStatus,
  systemClock,
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

function commonDeps(context: CommandContext) {
  return {
    logger: context.logger,
    clock: systemClock,
    runner: new ProcessRunner({ baseEnv: process.env }),
    redactor: new Redactor(context.logger),
    signal: context.signal,
  };
}

const readFrom = (cwd: string) => (file: string) => readFileSync(path.resolve(cwd, file), 'utf8');

/** State dir with `~` as the user's home; relative paths from the working directory. */
function stateDir(dir: string, cwd: string): string {
  return dir === '~' || dir.startsWith('~/') ? path.join(homedir(), dir.slice(1)) : path.resolve(cwd, dir);
}

/** Who and where, outside GitHub: the user, this host, and the CI job's page when there is one. */
function runContext() {
  const host = hostname();
  const runUrl = process.env.BUILD_URL || process.env.CI_JOB_URL;
  return { actor: userInfo().username, runner: host, host, pid: process.pid, ...(runUrl ? { runUrl } : {}) };
}

/** Deploy's and rollback's dependencies: state and lock where the backend input says. */
function releaseDeps(
  settings: DeploySettings | RollbackSettings,
  plan: { readonly kind: 'deploy' | 'rollback'; readonly version?: string },
  context: CommandContext,
) {
  const deps = commonDeps(context);
  const run = runContext();
  const { backend } = settings;
  if (backend.kind === 'github') deps.redactor.add(backend.github.token);
  const api = backend.kind === 'github' ? githubClient(backend.github.token, context) : undefined;
  const backends = createBackends(settings, plan, {
    stateDir: stateDir(settings.stateDir, context.cwd),
    clock: systemClock,
    logger: context.logger,
    run,
    redactor: deps.redactor,
    ...(api ? { api } : {}),
  });
  return { ...deps, ...backends, run };
}

/** The product's one GitHub client, at GITHUB_API_URL (GitHub Enterprise Server works). */
function githubClient(token: string, context: CommandContext) {
  const baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
  return createGitHubClient({ token, baseUrl, logger: context.logger });
}

/**
 * Outside GitHub with no token, `run` writes incidents as Markdown under state-dir/incidents
 * unless an incident target was chosen: a laptop or Jenkins rehearsal should not fail for want
 * of GitHub.
 */
function withLocalIncidents(raw: RawInputs, context: CommandContext): RawInputs {
  if (raw.incident || raw['github-token']) return raw;
  const dir =
    raw['incident-dir'] ||
    path.join(stateDir(raw['state-dir'] || '~/.deploy-actions', context.cwd), 'incidents');
  context.logger.info(
    `No GitHub token: incidents go to Markdown files in ${dir} (set --incident to choose).`,
  );
  return { ...raw, incident: 'file', 'incident-dir': dir };
}

/** A deploy's or rollback's outcome for the terminal. */
function describeRelease(outcome: { result: string; message: string; unrecorded?: string }): CommandOutcome {
  const ok = outcome.result !== 'failed' && !outcome.unrecorded;
  return { ok, report: outcome, text: outcome.message, ...(ok ? {} : { failure: outcome.message }) };
}

export const COMMAND_RUNNERS: Readonly<Record<string, Command>> = {
  'health-check': async (raw, context) => {
    const settings = parseHealthCheckSettings(raw, readFrom(context.cwd));
    const outcome = await runHealthCheck(settings, {
      ...commonDeps(context),
      writeFile: (file, text) => writeFileSync(path.resolve(context.cwd, file), text),
    });
    const ok = outcome.verdict === 'successful';
    return { ok, report: outcome.report, text: outcome.text, ...(ok ? {} : { failure: outcome.message }) };
  },
  deploy: async (raw, context) => {
    const settings = parseDeploySettings(raw, readFrom(context.cwd));
    const plan = { kind: 'deploy', version: settings.version } as const;
    return describeRelease(await runDeploy(settings, releaseDeps(settings, plan, context)));
  },
  exporter: async (raw, context) => {
    const settings = parseExporterSettings(raw, hostname());
    // The exporter (and prom-client) load only for this command.
    const { runExporter } = await loadExporter();
    await runExporter(settings, {
      logger: context.logger,
      runner: new ProcessRunner({ baseEnv: process.env }),
      signal: context.signal,
    });
    return { ok: true, report: { stopped: true }, text: '' };
  },
  preflight: async (raw, context) => {
    const settings = parsePreflightSettings(raw);
    const deps = commonDeps(context);
    const outcome = await runPreflight(settings, {
      ...deps,
      store: () => new FileStateStore(stateDir(settings.stateDir, context.cwd)),
      readEnv: (name) => process.env[name],
      mask: (value) => deps.redactor.add(value),
    });
    const ok = outcome.result !== 'failed';
    return { ok, report: outcome, text: outcome.message, ...(ok ? {} : { failure: outcome.message }) };
  },
  gate: async (raw, context) => {
    const decision = await runRunnerGate(parseRunnerGateSettings(raw), commonDeps(context));
    const text = decision.runner
      ? `${decision.runner} ${JSON.stringify(decision.labels)}: ${decision.reason}`
      : '';
    return {
      ok: Boolean(decision.runner),
      report: decision,
      text,
      ...(decision.runner ? {} : { failure: `No healthy runner: ${decision.reason}` }),
    };
  },
  incident: async (raw, context) => {
    const settings = parseIncidentSettings(raw, readFrom(context.cwd));
    const { token, repository } = settings.github;
    const deps = commonDeps(context);
    deps.redactor.add(token);
    const tracker = new GitHubIssueTracker({
      api: githubClient(token, context),
      repository,
      logger: context.logger,
      label: settings.label,
      extraLabels: settings.extraLabels,
    });
    const outcome = await runIncident(settings, { ...deps, tracker, run: runContext() });
    const ok = !outcome.failure;
    const text = outcome.url ? `${outcome.action}: ${outcome.url}` : `${outcome.action}`;
    return { ok, report: outcome, text, ...(ok ? {} : { failure: outcome.failure }) };
  },
  run: async (raw, context) => {
    const settings = parsePipelineSettings(withLocalIncidents(raw, context), readFrom(context.cwd));
    const { deploy, incident } = settings;
    const deps = releaseDeps(deploy, { kind: 'deploy', version: deploy.version }, context);
    if (incident.kind === 'github') deps.redactor.add(incident.github.token);
    const tracker = chooseIncidentTracker(incident, {
      ...(incident.kind === 'github' ? { api: githubClient(incident.github.token, context) } : {}),
      logger: context.logger,
      resolveDir: (dir) => path.resolve(context.cwd, dir),
    });
    const outcome = await runPipeline(settings, {
      ...deps,
      writeFile: (file, text) => writeFileSync(path.resolve(context.cwd, file), text),
      preflight: { readEnv: (name) => process.env[name], mask: (value) => deps.redactor.add(value) },
      ...(tracker ? { tracker } : {}),
    });
    const ok = !outcome.failedStage && !outcome.unrecorded;
    const exit = { configuration: 'bad-input', interrupted: 'interrupted', failed: undefined } as const;
    const how = outcome.failure ? exit[outcome.failure] : undefined;
    return {
      ok,
      report: outcome,
      text: renderPipelineText(outcome),
      ...(ok ? {} : { failure: outcome.message }),
      ...(how ? { exit: how } : {}),
    };
  },
  status: async (raw, context) => {
    const settings = parseStatusSettings(raw);
    const run = runContext();
    const backends = settings.github
      ? new GitHubDeployments({
          api: githubClient(settings.github.token, context),
          repository: settings.github.repository,
          logger: context.logger,
          clock: systemClock,
          run,
          plan: { ref: '', kind: 'deploy' },
        })
      : createFileBackends(stateDir(settings.stateDir, context.cwd), systemClock, run.host);
    const report = await runStatus(settings, backends);
    return { ok: true, report, text: renderStatusText(report) };
  },
  rollback: async (raw, context) => {
    const settings = parseRollbackSettings(raw, readFrom(context.cwd));
    const plan = {
      kind: 'rollback',
      ...(settings.toVersion ? { version: settings.toVersion } : {}),
    } as const;
    return describeRelease(await runRollback(settings, releaseDeps(settings, plan, context)));
  },
};
