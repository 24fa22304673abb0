import { parseDocument } from 'yaml';
import { ConfigurationError } from '../errors.ts';

/**
 * Parses YAML (and so JSON, a subset of it) written by a user. A syntax error names the input,
 * the line and the column, and is never a stack trace.
 */
export function readStructuredText(text: string, input: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [first] = document.errors;
  if (first) {
    const at = first.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const what = first.message.split('\n')[0];
    throw new ConfigurationError(input, `not valid YAML or JSON${where}: ${what}`);
  }
  try {
    // yaml refuses an alias bomb (aliases expanding past maxAliasCount) here, with a ReferenceError.
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigurationError(input, `not usable YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}
