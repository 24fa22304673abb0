import * as z from 'zod/mini';
import {
  booleanField,
  compiledField,
  countField,
  durationField,
  failureLimitField,
  optionalWholeNumberField,
  regexField,
  wholeNumberField,
} from './fields.ts';
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
  interval: z.optional(durationField),
  count: z.optional(countField),
  'initial-delay': z.optional(durationField),
  'failure-limit': z.optional(failureLimitField),
  'inconclusive-limit': z.optional(wholeNumberField(0)),
  'consecutive-error-limit': z.optional(wholeNumberField(0)),
  'error-limit': z.optional(optionalWholeNumberField(0)),
  'consecutive-successes': z.optional(optionalWholeNumberField(1)),
  timeout: z.optional(durationField),
  'start-timeout': z.optional(durationField),
  'dry-run': z.optional(booleanField),
};

/** A failure condition (Argo's failureCondition): with one declared, a measurement meeting neither is inconclusive. */
function failWhen<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.optional(
    z.strictObject(shape).check(
      z.refine(
        (condition) => Object.values(condition).some((value) => value !== undefined),
        'fail-when needs at least one condition',
      ),
      // An empty list of JSON checks would hold of every answer and fail every measurement.
      z.refine(
        (condition) => !Object.values(condition).some((value) => Array.isArray(value) && value.length === 0),
        'an empty list in fail-when would hold of every answer: give at least one check',
      ),
    ),
  );
}

const jsonPathField = compiledField(z.string(), compileJsonPath);
const statusField = z.union([z.number(), z.string(), z.array(z.union([z.number(), z.string()]))]);
const headersField = z.record(
  z.string(),
  compiledField(z.union([z.string(), z.number()]), (value) => String(value)),
);
/** Names of headers, query parameters or environment variables whose values may be shown. */
const publicField = z._default(z.array(z.string().check(z.trim(), z.minLength(1))), []);
const name = z.string().check(z.trim(), z.minLength(1, 'a probe needs a name'));

const httpUrl = compiledField(z.string(), (raw) => {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url?.protocol === 'http:' || url?.protocol === 'https:') return url;
  return { problem: `"${raw}" is not a valid http(s) URL (e.g. http://127.0.0.1:8080/health)` };
});

const jsonExpectation = z
  .strictObject({ path: jsonPathField, equals: z.optional(z.unknown()), matches: z.optional(regexField) })
  .check(
    z.refine(
      (check) => !(check.equals !== undefined && check.matches !== undefined),
      'use either equals or matches, not both',
    ),
  );

/** One check or a list; always a list after parsing, so errors point into the list. */
const jsonExpectations = z.pipe(
  z.transform((value: unknown) => (Array.isArray(value) ? value : [value])),
  z.array(jsonExpectation),
);

const httpStatus = compiledField(statusField, compileStatusMatcher);

const httpProbe = z.strictObject({
  name,
  type: z.literal('http'),
  url: httpUrl,
  method: z._default(
    z.string().check(z.regex(/^[A-Za-z]+$/, 'is not an HTTP method'), z.toUpperCase()),
    'GET',
  ),
  headers: z._default(headersField, {}),
  public: publicField,
  body: z.optional(z.string()),
  'tls-verify': z._default(booleanField, true),
  expect: z._default(
    z.strictObject({
      status: z.optional(httpStatus),
      json: z.optional(jsonExpectations),
      body: z.optional(regexField),
      'max-latency': z.optional(durationField),
    }),
    {},
  ),
  'fail-when': failWhen({
    status: z.optional(httpStatus),
    json: z.optional(jsonExpectations),
    body: z.optional(regexField),
  }),
  ...judgementFields,
});

const tcpProbe = z.strictObject({
  name,
  type: z.literal('tcp'),
  host: z.string().check(z.trim(), z.minLength(1, 'a host is needed')),
  port: z.int().check(z.gte(1, 'a port is 1 to 65535'), z.lte(65535, 'a port is 1 to 65535')),
  expect: z._default(z.strictObject({ banner: z.optional(regexField) }), {}),
  ...judgementFields,
});

const exitCode = z.int().check(z.gte(0), z.lte(255));

const commandProbe = z.strictObject({
  name,
  type: z.literal('command'),
  run: z.string().check(z.trim(), z.minLength(1, 'a command is needed')),
  env: z._default(headersField, {}),
  public: publicField,
  'working-directory': z.optional(z.string()),
  expect: z._default(
    z.strictObject({
      'exit-code': z._default(exitCode, 0),
      stdout: z.optional(regexField),
    }),
    { 'exit-code': 0 },
  ),
  'fail-when': failWhen({ 'exit-code': z.optional(exitCode), stdout: z.optional(regexField) }),
  ...judgementFields,
});

const threshold = compiledField(z.union([z.string(), z.number()]), compileThreshold);

const promqlProbe = z.strictObject({
  name,
  type: z.literal('promql'),
  prometheus: httpUrl,
  query: z.string().check(z.trim(), z.minLength(1, 'a PromQL query is needed')),
  headers: z._default(headersField, {}),
  public: publicField,
  'tls-verify': z._default(booleanField, true),
  expect: z.strictObject({ value: threshold }),
  'fail-when': failWhen({ value: threshold }),
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
/** What `expect` or `fail-when` may say of a response. */
export type HttpCondition = Partial<HttpProbeDeclaration['expect']>;
export type TcpProbeDeclaration = z.output<typeof tcpProbe>;
export type CommandProbeDeclaration = z.output<typeof commandProbe>;
export type PromqlProbeDeclaration = z.output<typeof promqlProbe>;

/** The status a response must have: declared, or any 2xx. */
export function expectedStatus(probe: HttpProbeDeclaration): StatusMatcher {
  return probe.expect.status ?? ANY_2XX;
}
