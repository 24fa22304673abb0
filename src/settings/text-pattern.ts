import { RE2JS } from 're2js';

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

export function compileTextPattern(source: string): TextPattern | { problem: string } {
  try {
    const compiled = RE2JS.compile(source);
    return { source, test: (text) => compiled.test(text), toString: () => `/${source}/` };
  } catch (error) {
    const why = (error as Error).message.replace(/^error parsing regexp: /, '');
    return {
      problem: `"${source}" is not a regular expression we accept (${why}); the syntax is RE2's: JavaScript's without look-around or back-references`,
    };
  }
}
