/**
 * The one way a value reaches a remote shell. ssh sends the remote command as one string that
 * the remote user's shell parses, so every argument is quoted here, POSIX-style: inside single
 * quotes nothing is special, and a single quote is written as '\'' (close, escaped quote,
 * reopen). Whatever a value holds — $(…), backticks, ;, newlines, quotes, globs, a leading dash
 * — the shell hands it to the program as exactly one argument. A NUL byte cannot be an argument
 * at all, so it is refused.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('an argument cannot hold a NUL byte');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** An argv as one command line for a POSIX shell: each argument quoted, joined by spaces. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('an empty command');
  return argv.map(shellQuote).join(' ');
}
