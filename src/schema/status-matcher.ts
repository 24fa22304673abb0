/** Which HTTP status codes count as healthy: `200`, `2xx`, `200-299`, `200,204` or a YAML list. */
export interface StatusMatcher {
  readonly description: string;
  readonly ranges: readonly (readonly [number, number])[];
}

/** The default: any 2xx. Redirects are not followed, so a 3xx is a failed measurement unless allowed. */
export const ANY_2XX: StatusMatcher = { description: '2xx', ranges: [[200, 299]] };

/** Compiles what users write, or returns a sentence saying what is accepted. */
export function compileStatusMatcher(raw: unknown): StatusMatcher | { problem: string } {
  const parts = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  if (parts.length === 0)
    return { problem: 'an empty list matches no status: use 200, 2xx, 200-299 or [200, 204]' };
  const ranges: [number, number][] = [];
  for (const part of parts.map((p) => p.trim())) {
    const range = readRange(part);
    if (!range) {
      return { problem: `"${part}" is not a status: use 200, 2xx, 200-299, or a list such as [200, 204]` };
    }
    ranges.push(range);
  }
  return { description: parts.map((p) => p.trim()).join(', '), ranges };
}

function readRange(part: string): [number, number] | undefined {
  let match = /^([1-5])xx$/i.exec(part);
  if (match) return [Number(match[1]) * 100, Number(match[1]) * 100 + 99];
  match = /^(\d{3})\s*-\s*(\d{3})$/.exec(part);
  if (
    match &&
    isStatus(Number(match[1])) &&
    isStatus(Number(match[2])) &&
    Number(match[1]) <= Number(match[2])
  ) {
    return [Number(match[1]), Number(match[2])];
  }
  match = /^(\d{3})$/.exec(part);
  if (match && isStatus(Number(match[1]))) return [Number(match[1]), Number(match[1])];
  return undefined;
}

function isStatus(code: number): boolean {
  return code >= 100 && code <= 599;
}

export function statusMatches(matcher: StatusMatcher, status: number): boolean {
  return matcher.ranges.some(([low, high]) => status >= low && status <= high);
}
