import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';
import { readDuration } from '../durations.ts';
import { compileTextPattern } from './text-pattern.ts';

// zod/mini (tree-shakable: a fifth of zod's start-up cost) ships no messages until told which.
z.config(en());

/**
 * Zod fields for values written by people (action inputs, YAML): each accepts the forms users
 * write and reports, in words, what it accepts.
 */

/** A field whose value `compile` turns into something else, or rejects with `{ problem }`. */
export function compiledField<In, Out>(
  input: z.ZodMiniType<In>,
  compile: (raw: In) => Out | { problem: string },
) {
  return z.pipe(
    input,
    z.transform((raw: In, ctx) => {
      const result = compile(raw);
      if (result !== null && typeof result === 'object' && 'problem' in result) {
        ctx.issues.push({ code: 'custom', message: result.problem, input: raw });
        return z.NEVER;
      }
      return result as Out;
    }),
  );
}

const stringOrNumber = z.union([z.string(), z.number()]);

/** A duration in milliseconds: `500ms`, `5s`, `2m`, or a number of seconds. */
export const durationField = compiledField(stringOrNumber, (raw) => {
  const result = readDuration(raw);
  return 'ms' in result ? result.ms : result;
});

function readWholeNumber(raw: string | number, min: number): number | { problem: string } {
  const text = String(raw).trim();
  const value = Number(text);
  const whole = /^-?\d+$/.test(text) && Number.isSafeInteger(value) && value >= min;
  return whole ? value : { problem: `"${text}" is not a whole number ≥ ${min}` };
}

/** A whole number ≥ `min`, from a string input or a YAML number. */
export function wholeNumberField(min = 0) {
  return compiledField(stringOrNumber, (raw) => readWholeNumber(raw, min));
}

/** failure-limit: a whole number ≥ 0, or -1 (Argo's: failures never fail; the success streak decides). */
export const failureLimitField = compiledField(stringOrNumber, (raw) => {
  if (String(raw).trim() === '-1') return -1;
  const value = readWholeNumber(raw, 0);
  return typeof value === 'number'
    ? value
    : { problem: `${value.problem}, or -1 (failures never fail the probe; consecutive-successes decides)` };
});

/** count: a whole number ≥ 1, or `unbounded` (Infinity: measured until a limit or the streak decides). */
export const countField = compiledField(stringOrNumber, (raw) => {
  if (String(raw).trim() === 'unbounded') return Number.POSITIVE_INFINITY;
  const value = readWholeNumber(raw, 1);
  return typeof value === 'number' ? value : { problem: `${value.problem}, or unbounded` };
});

/** An optional whole number: empty means "not set". */
export function optionalWholeNumberField(min = 0) {
  return compiledField(stringOrNumber, (raw) =>
    String(raw).trim() === '' ? undefined : readWholeNumber(raw, min),
  );
}

/** true/false as the toolkit's getBooleanInput accepts them (YAML 1.2 core schema); YAML booleans too. */
export const booleanField = compiledField(z.union([z.string(), z.boolean()]), (raw) => {
  if (typeof raw === 'boolean') return raw;
  if (['true', 'True', 'TRUE'].includes(raw.trim())) return true;
  if (['false', 'False', 'FALSE'].includes(raw.trim())) return false;
  return { problem: `"${raw}" is not a boolean; use true or false` };
});

/** A regular expression (RE2, linear time), compiled now so a bad one is a configuration error, not a runtime surprise. */
export const regexField = compiledField(z.string(), compileTextPattern);
