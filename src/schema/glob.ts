/** A glob as written (`sha-*`, `v*.*.*`) and its anchored pattern: `*` any run, `?` one character. */
export interface Glob {
  readonly glob: string;
  readonly pattern: RegExp;
}

export function compileGlob(glob: string): Glob {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return { glob, pattern: new RegExp(`^${source}$`) };
}
