import { readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import path from 'node:path';
import {
  createFileBackends,
  FileStateStore,
  loadExporter,
  ProcessRunner,
  parseDeploySettings,
  parseExporterSettings,
  parseHealthCheckSettings,
  parsePreflightSettings,
  parseRollbackSettings,
  parseRunnerGateSettings,
  type RawInputs,
  Redactor,
  runDeploy,
  runHealthCheck,
  runPreflight,
  runRollback,
  runRunnerGate,
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
}

export interface CommandContext {
  readonly logger: ConsoleLogger;
  readonly signal: AbortSignal;
  readonly cwd: string;
}

type Command = (raw: RawInputs, context: CommandContext) => Promise<CommandOutcome>;

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

function releaseDeps(dir: string, context: CommandContext) {
  const host = hostname();
  return {
    ...commonDeps(context),
    ...createFileBackends(stateDir(dir, context.cwd), systemClock, host),
    run: { actor: userInfo().username, runner: host, host, pid: process.pid },
  };
}

/** A deploy's or rollback's outcome for the terminal: the dry-run plan was already logged. */
function describeRelease(outcome: { result: string; message: string }): CommandOutcome {
  const ok = outcome.result !== 'failed';
  return {
    ok,
    report: outcome,
    text: outcome.result === 'dry-run' ? '' : outcome.message,
    ...(ok ? {} : { failure: outcome.message }),
  };
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
    return describeRelease(await runDeploy(settings, releaseDeps(settings.stateDir, context)));
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
  rollback: async (raw, context) => {
    const settings = parseRollbackSettings(raw, readFrom(context.cwd));
    return describeRelease(await runRollback(settings, releaseDeps(settings.stateDir, context)));
  },
};
