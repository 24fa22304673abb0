/** A numeric comparison written as users write it: `< 90`, `>= 1`, `== 1`, `!= 0`. */
export interface Threshold {
  readonly operator: '<' | '<=' | '>' | '>=' | '==' | '!=';
  readonly value: number;
  readonly description: string;
}

const THRESHOLD = /^(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i;

export function compileThreshold(raw: string | number): Threshold | { problem: string } {
  const text = String(raw).trim();
  const match = THRESHOLD.exec(text);
  if (!match) return { problem: `"${text}" is not a comparison: use e.g. "< 90", ">= 1" or "== 1"` };
  const operator = match[1] as Threshold['operator'];
  return { operator, value: Number(match[2]), description: `${operator} ${match[2]}` };
}

/** NaN never satisfies a threshold: an unknown value is not a healthy one. */
export function satisfies(threshold: Threshold, actual: number): boolean {
  if (Number.isNaN(actual)) return false;
  switch (threshold.operator) {
    case '<':
      return actual < threshold.value;
    case '<=':
      return actual <= threshold.value;
    case '>':
      return actual > threshold.value;
    case '>=':
      return actual >= threshold.value;
    case '==':
      return actual === threshold.value;
    case '!=':
      return actual !== threshold.value;
  }
}
