import type { RE2JS } from 're2js';

/**
 * A user's regular expression, matched in time linear in the text (RE2: no backtracking), so no
 * pattern and no response can hang a check: `^(x+x+)+y$` against 1 MiB takes milliseconds.
 * The syntax is RE2's: JavaScript's without look-around and back-references.
 */
export interface TextPattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in `text` (anchors say otherwise). */
  test(text: string): boolean;
  /** `/source/`, as people write it. */
  toString(): string;
}

/** Thrown by a parse that met a pattern before the engine was loaded: `withTextPatterns` loads it and parses again. */
export class PatternEngineNeeded extends Error {
  override readonly name = 'PatternEngineNeeded';
}

let engine: typeof RE2JS | undefined;

/**
 * Runs a (synchronous) parse of settings that may declare patterns. The RE2 engine costs a
 * cold start ~28 ms, so it is loaded only when the parse meets a pattern, and the parse is then
 * run again with it: a check without patterns never pays for it.
 */
export async function withTextPatterns<T>(parse: () => T): Promise<T> {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof PatternEngineNeeded)) throw error;
    await loadTextPatternEngine();
    return parse();
  }
}

/** Loads the RE2 engine now (tests that parse settings directly). */
export async function loadTextPatternEngine(): Promise<void> {
  engine ??= (await import('re2js')).RE2JS;
}

export function compileTextPattern(source: string): TextPattern | { problem: string } {
  if (!engine) throw new PatternEngineNeeded(`a pattern (${source}) was parsed before its engine was loaded`);
  try {
    const compiled = engine.compile(source);
    return { source, test: (text) => compiled.test(text), toString: () => `/${source}/` };
  } catch (error) {
    const why = (error as Error).message.replace(/^error parsing regexp: /, '');
    return {
      problem: `"${source}" is not a regular expression we accept (${why}); the syntax is RE2's: JavaScript's without look-around or back-references`,
    };
  }
}
