import { ConfigurationError } from './errors.ts';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
/** Node's timers hold at most 2^31−1 ms (24.8 days); a longer delay fires at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Reads a duration as users write them: `500ms`, `5s`, `1.5m`, `2h`, or a bare number of
 * seconds (`30`, as seed configs say). Returns milliseconds, or a sentence saying what is wrong.
 */
export function readDuration(raw: string | number): { ms: number } | { problem: string } {
  const text = String(raw).trim();
  const match = DURATION.exec(text);
  if (match) {
    const ms = Math.round(Number(match[1]) * UNITS[match[2] ?? 's']!);
    if (ms <= MAX_DURATION_MS) return { ms };
    return { problem: `"${text}" is longer than the longest wait this tool can keep (24 days, 576h)` };
  }
  const what = text.startsWith('-') ? 'must not be negative' : 'is not a duration';
  return { problem: `"${text}" ${what}; use e.g. 500ms, 5s, 2m or a number of seconds` };
}

/** Like readDuration, throwing a ConfigurationError that names `input`. */
export function parseDuration(raw: string | number, input: string): number {
  const result = readDuration(raw);
  if ('problem' in result) throw new ConfigurationError(input, result.problem);
  return result.ms;
}

/** Renders milliseconds for people: `850 ms`, `4.2 s`, `3 m 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} m ${Math.round((ms % 60_000) / 1000)} s`;
}
