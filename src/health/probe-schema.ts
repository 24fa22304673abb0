import * as z from 'zod';
import {
  booleanField,
  durationField,
  optionalWholeNumberField,
  regexField,
  wholeNumberField,
} from '../settings/fields.ts';
import { compileJsonPath } from './json-path.ts';
import { ANY_2XX, compileStatusMatcher, type StatusMatcher } from './status-matcher.ts';
import { compileThreshold } from './threshold.ts';

/**
 * The probes a user declares (YAML or JSON, in the `probes` input or a file), validated field by
 * field. Keys are kebab-case like the action inputs; unknown keys are errors, so a typo such as
 * `failure_limit` is caught instead of silently ignored.
 */

/** Per-probe judgement overrides; anything absent comes from the action's inputs. */
const judgementFields = {
  interval: durationField.optional(),
  count: wholeNumberField(1).optional(),
  'initial-delay': durationField.optional(),
  'failure-limit': wholeNumberField(0).optional(),
  'error-limit': wholeNumberField(0).optional(),
  'consecutive-successes': optionalWholeNumberField(1).optional(),
  timeout: durationField.optional(),
};

/** A zod transform from a compile function that returns the value or `{ problem }`. */
function compiled<In, T extends object>(compile: (raw: In) => T | { problem: string }) {
  return (raw: In, ctx: z.RefinementCtx): T => {
    const result = compile(raw);
    if ('problem' in result) {
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    }
    return result;
  };
}

const jsonPathField = z.string().transform(compiled(compileJsonPath));
const statusField = z.union([z.number(), z.string(), z.array(z.union([z.number(), z.string()]))]);
const headersField = z.record(z.string(), z.union([z.string(), z.number()]).transform(String));
const name = z.string().trim().min(1, 'a probe needs a name');

const httpUrl = z.string().transform((raw, ctx) => {
  const problem = `"${raw}" is not a valid http(s) URL (e.g. http://127.0.0.1:8080/health)`;
  if (!URL.canParse(raw)) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return url;
});

const jsonExpectation = z
  .strictObject({ path: jsonPathField, equals: z.unknown().optional(), matches: regexField.optional() })
  .refine((check) => !(check.equals !== undefined && check.matches !== undefined), {
    message: 'use either equals or matches, not both',
  });

const httpProbe = z.strictObject({
  name,
  type: z.literal('http'),
  url: httpUrl,
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'is not an HTTP method')
    .transform((m) => m.toUpperCase())
    .default('GET'),
  headers: headersField.default({}),
  body: z.string().optional(),
  'tls-verify': booleanField.default(true),
  expect: z
    .strictObject({
      status: statusField.transform(compiled(compileStatusMatcher)).optional(),
      // One check or a list; always a list after parsing, so errors point into the list.
      json: z
        .preprocess((v) => (v === undefined || Array.isArray(v) ? v : [v]), z.array(jsonExpectation))
        .optional(),
      body: regexField.optional(),
      'max-latency': durationField.optional(),
    })
    .default({}),
  ...judgementFields,
});

const tcpProbe = z.strictObject({
  name,
  type: z.literal('tcp'),
  host: z.string().trim().min(1, 'a host is needed'),
  port: z.number().int().min(1).max(65535, 'a port is 1 to 65535'),
  expect: z.strictObject({ banner: regexField.optional() }).default({}),
  ...judgementFields,
});

const commandProbe = z.strictObject({
  name,
  type: z.literal('command'),
  run: z.string().trim().min(1, 'a command is needed'),
  env: headersField.default({}),
  'working-directory': z.string().optional(),
  expect: z
    .strictObject({ 'exit-code': z.number().int().min(0).max(255).default(0), stdout: regexField.optional() })
    .default({ 'exit-code': 0 }),
  ...judgementFields,
});

const promqlProbe = z.strictObject({
  name,
  type: z.literal('promql'),
  prometheus: httpUrl,
  query: z.string().trim().min(1, 'a PromQL query is needed'),
  headers: headersField.default({}),
  'tls-verify': booleanField.default(true),
  expect: z.strictObject({
    value: z.union([z.string(), z.number()]).transform(compiled(compileThreshold)),
  }),
  ...judgementFields,
});

export const PROBE_TYPES = ['http', 'tcp', 'command', 'promql'] as const;

export const probeDeclaration = z.discriminatedUnion('type', [
  httpProbe,
  tcpProbe,
  commandProbe,
  promqlProbe,
]);
export type ProbeDeclaration = z.output<typeof probeDeclaration>;
export type HttpProbeDeclaration = z.output<typeof httpProbe>;
export type TcpProbeDeclaration = z.output<typeof tcpProbe>;
export type CommandProbeDeclaration = z.output<typeof commandProbe>;
export type PromqlProbeDeclaration = z.output<typeof promqlProbe>;

/** The status a response must have: declared, or any 2xx. */
export function expectedStatus(probe: HttpProbeDeclaration): StatusMatcher {
  return probe.expect.status ?? ANY_2XX;
}
