import * as z from 'zod';
import { readDuration } from '../durations.ts';

/**
 * Zod fields for values written by people (action inputs, YAML): each accepts the forms users
 * write and reports, in words, what it accepts.
 */

/** A duration in milliseconds: `500ms`, `5s`, `2m`, or a number of seconds. */
export const durationField = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const result = readDuration(raw);
  if ('ms' in result) return result.ms;
  ctx.addIssue({ code: 'custom', message: result.problem });
  return z.NEVER;
});

/** A whole number ≥ `min`, from a string input or a YAML number. */
export function wholeNumberField(min = 0) {
  return z.union([z.string(), z.number()]).transform((raw, ctx) => {
    const text = String(raw).trim();
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a whole number ≥ ${min}` });
      return z.NEVER;
    }
    return value;
  });
}

/** An optional whole number: empty means "not set". */
export function optionalWholeNumberField(min = 0) {
  return z
    .union([z.literal(''), z.undefined(), wholeNumberField(min)])
    .transform((value) => (value === '' ? undefined : value));
}

/** true/false as the toolkit's getBooleanInput accepts them (YAML 1.2 core schema); YAML booleans too. */
export const booleanField = z.union([z.string(), z.boolean()]).transform((raw, ctx) => {
  if (typeof raw === 'boolean') return raw;
  if (['true', 'True', 'TRUE'].includes(raw.trim())) return true;
  if (['false', 'False', 'FALSE'].includes(raw.trim())) return false;
  ctx.addIssue({ code: 'custom', message: `"${raw}" is not a boolean; use true or false` });
  return z.NEVER;
});

/** A regular expression, compiled now so a bad one is a configuration error, not a runtime surprise. */
export const regexField = z.string().transform((source, ctx) => {
  try {
    return new RegExp(source);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `"${source}" is not a valid regular expression (${(error as Error).message})`,
    });
    return z.NEVER;
  }
});
