import type * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';

/** One input of an action (and the same-named CLI flag). The only place its default lives. */
export interface InputSpec {
  readonly description: string;
  /** The value used when the input is absent or empty. Mirrored in action.yml; a test keeps them equal. */
  readonly default?: string;
  readonly required?: boolean;
  /** A shorter CLI flag taking the same value (`--from` for from-environment); --<input> works too. */
  readonly flag?: string;
}

export interface OutputSpec {
  readonly description: string;
}

export type InputSpecs = Readonly<Record<string, InputSpec>>;
export type OutputSpecs = Readonly<Record<string, OutputSpec>>;

/** Input values as strings, keyed by input name, as the runner or the CLI hands them over. */
export type RawInputs = Readonly<Record<string, string | undefined>>;

/**
 * Every declared input with its value, an absent or empty value replaced by the default.
 * An empty value means "not given" (a reusable workflow passing an unset input through gives ''),
 * so it gets the documented default, never some other silent value.
 */
export function applyDefaults(specs: InputSpecs, raw: RawInputs): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = raw[name]?.trim() ?? '';
    if (given === '' && spec.required) throw new ConfigurationError(name, `is required: ${spec.description}`);
    values[name] = given === '' ? (spec.default ?? '') : given;
  }
  return values;
}

/**
 * Validates `values` with `schema` and returns the typed settings. The first problem becomes a
 * ConfigurationError naming the input and the field inside it. For flat inputs the input is the
 * first path element; for a structured input (a YAML list) pass its name, and a `label` for the item.
 */
export function parseWithSchema<T>(
  schema: z.ZodMiniType<T>,
  values: unknown,
  input?: string,
  label?: string,
): T {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part)));
  if (input === undefined) {
    const [head, ...rest] = path;
    const field = rest.length > 0 ? `field ${rest.join('.')}: ` : '';
    throw new ConfigurationError(head ?? 'inputs', `${field}${issue.message}`);
  }
  const where = [label, path.length > 0 ? `field "${path.join('.').replace(/\.\[/g, '[')}"` : undefined]
    .filter(Boolean)
    .join(', ');
  throw new ConfigurationError(input, where ? `${where}: ${issue.message}` : issue.message);
}
