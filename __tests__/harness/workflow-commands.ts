/**
 * The runner's reading of a step's output (see shared/RUNNER-CONTRACT.md): workflow commands
 * (`::name k=v::data`), `::stop-commands::` regions, and masking of registered secrets.
 */

export interface WorkflowCommand {
  readonly name: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly message: string;
}

const COMMAND = /^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/s;

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeProperty(text: string): string {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',');
}

/** A command if `line` is one (leading spaces allowed, as the runner trims them), else undefined. */
export function parseCommand(line: string): WorkflowCommand | undefined {
  const match = COMMAND.exec(line.replace(/^ +/, ''));
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at > 0) properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1));
  }
  return { name: match[1]!, properties, message: unescapeData(match[3] ?? '') };
}

/** Reads output lines as the runner does: collects commands, honours stop-commands, masks secrets. */
export class LogReader {
  readonly commands: WorkflowCommand[] = [];
  /** The log as a person sees it on the run page: masked, without the add-mask lines. */
  readonly lines: string[] = [];
  readonly #secrets = new Set<string>();
  #stopToken: string | undefined;

  readonly #showDebug: boolean;

  /** `showDebug`: the runner shows `::debug::` lines only when debug logging is on (RUNNER_DEBUG=1). */
  constructor(secrets: Iterable<string> = [], showDebug = false) {
    for (const secret of secrets) this.#addSecret(secret);
    this.#showDebug = showDebug;
  }

  read(line: string): void {
    if (this.#stopToken !== undefined) {
      if (line.trim() === `::${this.#stopToken}::`) this.#stopToken = undefined;
      else this.lines.push(this.mask(line));
      return;
    }
    const command = parseCommand(line);
    if (command?.name === 'add-mask') {
      this.#addSecret(command.message);
      this.commands.push({ ...command, message: '***' });
      return;
    }
    if (command?.name === 'stop-commands') {
      this.#stopToken = command.message;
      this.commands.push(command);
      return;
    }
    if (command) this.commands.push({ ...command, message: this.mask(command.message) });
    if (command?.name === 'debug' && !this.#showDebug) return;
    this.lines.push(this.mask(line));
  }

  /** `text` with every registered secret shown as `***`, as the runner shows it. */
  mask(text: string): string {
    let masked = text;
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length))
      masked = masked.split(secret).join('***');
    return masked;
  }

  #addSecret(value: string): void {
    for (const line of value.split(/\r?\n/)) if (line.trim()) this.#secrets.add(line.trim());
  }
}

/**
 * Parses a file command file (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE) with the runner's rules:
 * `name=value`, or `name<<DELIMITER` … `DELIMITER`. Anything else is an error, as on the runner.
 */
export function parseFileCommands(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      values[line.slice(0, equals)] = line.slice(equals + 1);
      continue;
    }
    if (heredoc <= 0) throw new Error(`${file}: invalid line ${i + 1}: ${JSON.stringify(line)}`);
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    if (!delimiter) throw new Error(`${file}: empty delimiter for ${name}`);
    const body: string[] = [];
    for (i++; i < lines.length && lines[i]!.replace(/\r$/, '') !== delimiter; i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${file}: no closing delimiter ${delimiter} for ${name}`);
    values[name] = body.join('\n');
  }
  return values;
}
