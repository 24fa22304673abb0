#!/usr/bin/env node
import { parseArgs } from 'node:util';
import packageJson from '../package.json' with { type: 'json' };
import {
  ACTION_CATALOG,
  type ActionEntry,
  ConfigurationError,
  describeError,
  describeForFlags,
  describeNearLimit,
  exporterInputs,
  InterruptedError,
  inputsNearArgumentLimit,
  rollbackInputs,
  statusInputs,
  writeOrWait,
} from '../src/index.ts';
import { COMMAND_RUNNERS, fillGitHubDefaults, githubVariableOf } from './commands.ts';
import { locateError, mergeConfig, readConfigFile } from './config-file.ts';
import { ConsoleLogger } from './console-logger.ts';

/** Exit codes: 0 ok, 1 the check or deploy failed, 2 bad input, 130 interrupted. */
const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;
/** A progress line after this long without output. */
const PROGRESS_EVERY_MS = 10_000;

/** The CLI's commands: one per action, named as the action or its `cli` name. */
const COMMANDS: Readonly<Record<string, Pick<ActionEntry, 'summary' | 'inputs'>>> = {
  ...Object.fromEntries(
    Object.entries(ACTION_CATALOG as Readonly<Record<string, ActionEntry>>)
      .filter(([, entry]) => entry.cli !== false)
      .map(([name, entry]) => [entry.cli || name, entry]),
  ),
  exporter: {
    summary: "Serve this runner's health as Prometheus metrics (runner_status, CPU, memory, disk).",
    inputs: exporterInputs,
  },
  'scale-down': {
    summary:
      "Stop a blue-green environment's old slot once its scale-down-delay has passed (for a scheduled workflow); the deploy's inputs.",
    inputs: rollbackInputs,
  },
  status: {
    summary:
      'Show an environment: the version running, the previous one, the history, and who holds the lock.',
    inputs: statusInputs,
  },
};

const COMMON = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function usage(command?: string): string {
  if (!command || !COMMANDS[command]) {
    const list = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(14)} ${summary}`);
    return [
      'Usage: deploy-actions <command> [options]',
      '',
      'Commands:',
      ...list,
      '',
      'Run deploy-actions <command> --help for its options.',
    ].join('\n');
  }
  const flags = Object.entries(COMMANDS[command].inputs).map(([name, spec]) => {
    const variable = githubVariableOf(spec.default);
    const shown = variable ? `$${variable}` : spec.default;
    const fallback = shown ? ` (default: ${shown})` : '';
    return `  --${name.padEnd(24)} ${spec.description}${fallback}`;
  });
  return [
    `Usage: deploy-actions ${command} [options]`,
    '',
    COMMANDS[command].summary,
    '',
    'Options (the same as the action inputs):',
    ...flags,
    `  --${'config'.padEnd(24)} A YAML file of these options (default: ./deploy.yml when it exists); flags override it.`,
    `  --${'json'.padEnd(24)} Print the JSON report on stdout instead of the summary.`,
    `  --${'verbose'.padEnd(24)} Show each probe's measurements and debug lines.`,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    process.stdout.write(`deploy-actions ${packageJson.version}\n`);
    return EXIT.ok;
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${usage()}\n`);
    return command ? EXIT.ok : EXIT.badInput;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    process.stderr.write(`Unknown command "${command}".\n\n${usage()}\n`);
    return EXIT.badInput;
  }
  const booleans = new Set(
    Object.entries(spec.inputs)
      .filter(([, input]) => input.default === 'true' || input.default === 'false')
      .map(([name]) => name),
  );
  const aliases = Object.fromEntries(
    Object.entries(spec.inputs).flatMap(([name, input]) => (input.flag ? [[input.flag, name]] : [])),
  );
  const options = Object.fromEntries(
    [...Object.keys(spec.inputs), ...Object.keys(aliases)].map((name) => [
      name,
      { type: booleans.has(aliases[name] ?? name) ? 'boolean' : 'string' } as const,
    ]),
  );
  const known = { ...options, ...COMMON };
  const { values } = parseArgs({
    args: normaliseArgs(
      rest,
      new Set([...booleans, 'json', 'verbose']),
      new Set([...Object.keys(options).filter((name) => !booleans.has(name)), 'config']),
    ),
    options: known,
    strict: true,
    allowPositionals: false,
    allowNegative: true,
  });
  if (values.help) {
    process.stdout.write(`${usage(command)}\n`);
    return EXIT.ok;
  }
  const json = values.json === true;
  let lastLine = performance.now();
  const write = (stream: NodeJS.WriteStream, line: string) => {
    lastLine = performance.now();
    return writeOrWait(stream, `${line}\n`);
  };
  const logger = new ConsoleLogger({
    verbose: values.verbose === true,
    colour: process.stdout.isTTY === true && !process.env.NO_COLOR,
    out: (line) => write(json ? process.stderr : process.stdout, line),
    err: (line) => write(process.stderr, line),
  });
  // A long quiet wait (a lock, a slow command, a retry's backoff) still says it is alive.
  const since = performance.now();
  const progress = setInterval(() => {
    if (command === 'exporter' || performance.now() - lastLine < PROGRESS_EVERY_MS) return;
    write(
      process.stderr,
      `… ${command}: still working (${Math.round((performance.now() - since) / 1000)} s)`,
    );
  }, 1000);
  progress.unref();
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => cancel.abort(new InterruptedError(`interrupted by ${signal}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const given = values as Readonly<Record<string, unknown>>;
  const flags = Object.fromEntries(
    Object.entries(spec.inputs).map(([name, input]) => [
      name,
      flagValue(given[name] ?? (input.flag ? given[input.flag] : undefined)),
    ]),
  );
  for (const near of inputsNearArgumentLimit(flags, Object.keys(spec.inputs)))
    logger.warning(describeNearLimit(near, 'argument'));
  const fields = new Set(Object.values(COMMANDS).flatMap((entry) => Object.keys(entry.inputs)));
  const configFile = typeof values.config === 'string' ? values.config : 'deploy.yml';
  const config = readConfigFile(configFile, process.cwd(), fields, values.config !== undefined);
  const raw = fillGitHubDefaults(
    spec.inputs,
    mergeConfig(config, flags, Object.keys(spec.inputs)),
    process.env,
  );
  const outcome = await COMMAND_RUNNERS[command]!(raw, {
    logger,
    signal: cancel.signal,
    cwd: process.cwd(),
  }).catch((error: unknown) => {
    throw error instanceof ConfigurationError ? locateError(error, config, flags) : error;
  });
  if (outcome.failure) logger.error(outcome.failure);
  if (json) process.stdout.write(`${JSON.stringify(outcome.report, null, 2)}\n`);
  else if (outcome.text) process.stdout.write(`\n${outcome.text}\n`);
  if (outcome.ok) return EXIT.ok;
  return outcome.exit === 'bad-input'
    ? EXIT.badInput
    : outcome.exit === 'interrupted'
      ? EXIT.interrupted
      : EXIT.failed;
}

/**
 * Every boolean option takes `--x`, `--no-x`, `--x=true|false` and `--x true|false`: the last two
 * are rewritten to the first two, which parseArgs understands; any other value is an error. An
 * option that takes a value takes the next argument whatever it begins with (`--failure-limit
 * -1`, `--probes '- { … }'`, a YAML list): parseArgs calls those ambiguous, so they are joined.
 */
function normaliseArgs(
  args: readonly string[],
  booleans: ReadonlySet<string>,
  valued: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([^=]+)(?:=(.*))?$/.exec(arg);
    if (match && match[2] === undefined && valued.has(match[1]!) && i + 1 < args.length) {
      out.push(`--${match[1]}=${args[++i]}`);
      continue;
    }
    if (!match || !booleans.has(match[1]!)) {
      out.push(arg);
      continue;
    }
    let value = match[2];
    if (value === undefined && /^(true|false)$/i.test(args[i + 1] ?? '')) value = args[++i];
    if (value === undefined) out.push(arg);
    else if (/^true$/i.test(value)) out.push(`--${match[1]}`);
    else if (/^false$/i.test(value)) out.push(`--no-${match[1]}`);
    else throw new ConfigurationError(match[1]!, `"${value}" is not true or false`);
  }
  return out;
}

/** The known option nearest to a mistyped one, if it is near enough to be what was meant. */
export function nearestOption(typed: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length]!;
  };
  const [best] = known.map((name) => ({ name, d: distance(typed, name) })).toSorted((x, y) => x.d - y.d);
  return best && best.d <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined;
}

/** A boolean flag (`--dry-run`) is the input's "true"; a string flag is its value. */
function flagValue(value: unknown): string | undefined {
  return typeof value === 'boolean' ? String(value) : (value as string | undefined);
}

/** For an unknown option, the nearest one the command has. */
function suggestion(error: Error): string {
  const typed = /Unknown option '--([^']+)'/.exec(error.message)?.[1];
  const spec = COMMANDS[process.argv[2] ?? ''];
  if (!typed || !spec) return '';
  const near = nearestOption(typed, [...Object.keys(spec.inputs), ...Object.keys(COMMON)]);
  return near ? `. Did you mean --${near}?` : '';
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`error: ${describeForFlags(error)}\n`);
    process.exitCode = EXIT.badInput;
  } else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`error: ${describeError(error)}${suggestion(error as Error)}\n`);
    process.exitCode = EXIT.badInput;
  } else if (error instanceof InterruptedError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT.interrupted;
  } else {
    process.stderr.write(`error: ${describeError(error)}\n`);
    if (process.env.DEPLOY_ACTIONS_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = EXIT.failed;
  }
}
