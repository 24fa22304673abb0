import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, stringify } from 'yaml';
import { ConfigurationError, type RawInputs } from '../src/index.ts';

/** A config file's values, and where each came from (for errors that name the file and line). */
export interface ConfigValues {
  readonly file: string;
  readonly values: Readonly<Record<string, string>>;
  readonly lines: Readonly<Record<string, number>>;
}

/**
 * Reads `deploy.yml` (or the --config file): one map of input names to values, shared by every
 * command. Lists and maps (probes, checks, candidates) may be written as YAML; they reach the
 * command as the YAML text its input takes. A key no command knows is an error with its line.
 */
export function readConfigFile(
  file: string,
  cwd: string,
  known: ReadonlySet<string>,
  explicit: boolean,
): ConfigValues | undefined {
  const full = path.resolve(cwd, file);
  if (!existsSync(full)) {
    if (explicit) throw new ConfigurationError('config', `${file} does not exist`);
    return undefined;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(full, 'utf8'), {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: true,
  });
  const [problem] = document.errors;
  if (problem) {
    const at = problem.linePos?.[0];
    throw new ConfigurationError(
      'config',
      `${file}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML: ${problem.message.split('\n')[0]}`,
    );
  }
  if (document.contents === null) return { file, values: {}, lines: {} };
  if (!isMap(document.contents))
    throw new ConfigurationError('config', `${file}: expected a map of input names to values`);
  const values: Record<string, string> = {};
  const lines: Record<string, number> = {};
  for (const pair of document.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const line = lineCounter.linePos(pair.key && isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0).line;
    if (!known.has(key))
      throw new ConfigurationError(
        'config',
        `${file}:${line}: unknown field "${key}" (see deploy-actions <command> --help)`,
      );
    const value = pair.value;
    values[key] = isScalar(value)
      ? String(value.value ?? '')
      : stringify(value?.toJSON(), { lineWidth: 0 }).trimEnd();
    lines[key] = line;
  }
  return { file, values, lines };
}

/** The command's inputs: the config file's values, each overridden by a flag given. */
export function mergeConfig(
  config: ConfigValues | undefined,
  flags: RawInputs,
  inputs: readonly string[],
): RawInputs {
  if (!config) return flags;
  return Object.fromEntries(inputs.map((name) => [name, flags[name] ?? config.values[name]]));
}

/** A ConfigurationError about an input that came from the config file, told with its file and line. */
export function locateError(
  error: ConfigurationError,
  config: ConfigValues | undefined,
  flags: RawInputs,
): ConfigurationError {
  const line = config?.lines[error.input];
  if (line === undefined || flags[error.input] !== undefined) return error;
  return new ConfigurationError(
    error.input,
    `${config!.file}:${line}: field "${error.input}": ${error.problem}`,
    error.remedy,
  );
}
