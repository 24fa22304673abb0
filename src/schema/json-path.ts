/**
 * A small, strict JSONPath subset for health endpoints: `$`, `.name`, `['name']`, `["name"]`
 * and `[index]`, optionally wrapped in `{ }` as Argo Rollouts writes it (`{$.status}`).
 * Filters and wildcards are deliberately absent: a health check compares one value.
 */
export interface JsonPath {
  readonly source: string;
  readonly segments: readonly (string | number)[];
}

const IDENT = /^[A-Za-z_$][\w$-]*/;
const QUOTED = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/;
const INDEX = /^\[\s*(\d+)\s*\]/;

/** Compiles `source`, or returns a sentence saying where it goes wrong. */
export function compileJsonPath(source: string): JsonPath | { problem: string } {
  let rest = source.trim();
  if (rest.startsWith('{') && rest.endsWith('}')) rest = rest.slice(1, -1).trim();
  if (!rest.startsWith('$')) return { problem: `JSON path "${source}" must start with $ (e.g. $.status)` };
  rest = rest.slice(1);
  const segments: (string | number)[] = [];
  while (rest.length > 0) {
    const consumed = readSegment(rest, segments);
    if (consumed === 0) {
      return {
        problem: `JSON path "${source}" is not understood at "${rest}"; use $.a.b, $['a-b'] or $.items[0]`,
      };
    }
    rest = rest.slice(consumed);
  }
  return { source, segments };
}

function readSegment(rest: string, segments: (string | number)[]): number {
  if (rest.startsWith('.')) {
    const ident = IDENT.exec(rest.slice(1));
    if (!ident) return 0;
    segments.push(ident[0]);
    return 1 + ident[0].length;
  }
  const quoted = QUOTED.exec(rest);
  if (quoted) {
    segments.push((quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'));
    return quoted[0].length;
  }
  const index = INDEX.exec(rest);
  if (index) {
    segments.push(Number(index[1]));
    return index[0].length;
  }
  return 0;
}

/** The value at `path` in `document`, or `found: false` when any step is missing. */
export function selectJsonPath(document: unknown, path: JsonPath): { found: boolean; value?: unknown } {
  let node: unknown = document;
  for (const segment of path.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return { found: false };
      node = node[segment];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) {
        return { found: false };
      }
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: node };
}
