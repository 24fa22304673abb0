import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
import { formatSshEndpoint, parseSshEndpoint, type SshEndpoint } from '../model/ssh-endpoint.ts';
import { ENVIRONMENT_NAME } from '../model/version.ts';
import { booleanField, compiledField, durationField } from '../schema/fields.ts';
import {
  applyDefaults,
  type InputSpecs,
  type OutputSpecs,
  parseWithSchema,
  type RawInputs,
} from './input-spec.ts';
import { readStructuredText } from './structured-text.ts';

export const preflightInputs = {
  checks: {
    description:
      'The checks, as a YAML list; each has a type (secret, command, disk, memory, tcp, http, ssh, artifact, image, not-bad, haproxy, nginx), an optional name, and critical: true (default) or false (a warning).',
    required: true,
  },
  timeout: { description: 'Time limit of each check.', default: '10s' },
  'state-dir': { description: 'Where deploy state lives, for not-bad checks.', default: '~/.deploy-actions' },
} as const satisfies InputSpecs;

export const preflightOutputs = {
  result: { description: 'passed, warnings (only non-critical checks failed) or failed.' },
  report: {
    description:
      'JSON: every check with its outcome and the fix for each failure (secret values never included).',
  },
} as const satisfies OutputSpecs;

/** An amount of space: `5GB`, `512MB`, or a share of the total, `10%`. */
export type Amount = { readonly bytes: number } | { readonly percent: number };

const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};
const amountField = compiledField(z.union([z.string(), z.number()]), (raw): Amount | { problem: string } => {
  const text = String(raw).trim().toUpperCase();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) };
  const size = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)$/.exec(text);
  if (size) return { bytes: Number(size[1]) * UNITS[size[2]!]! };
  return { problem: `"${raw}" is not an amount: use e.g. 5GB, 512MB or 10%` };
});

const common = { name: z.optional(z.string()), critical: z._default(booleanField, true) };
const url = compiledField(z.string(), (raw) =>
  URL.canParse(raw) ? new URL(raw) : { problem: `"${raw}" is not a URL` },
);

const sshEndpoint = compiledField<string, SshEndpoint>(z.string(), parseSshEndpoint);

const check = z.discriminatedUnion('type', [
  z.strictObject({
    ...common,
    type: z.literal('secret'),
    secret: z.string().check(z.regex(/^\w+$/, 'is not an environment variable name')),
  }),
  z.strictObject({
    ...common,
    type: z.literal('command'),
    command: z.string().check(z.regex(/^[\w.+-]+$/, 'is not a command name')),
    'min-version': z.optional(z.string().check(z.regex(/^\d+(\.\d+)*$/, 'is not a version such as 2.14'))),
    'version-arg': z._default(z.string(), '--version'),
  }),
  z.strictObject({
    ...common,
    type: z.literal('disk'),
    path: z._default(z.string(), '/'),
    'min-free': amountField,
  }),
  z.strictObject({ ...common, type: z.literal('memory'), 'min-free': amountField }),
  z.strictObject({
    ...common,
    type: z.literal('tcp'),
    host: z.string().check(z.minLength(1)),
    port: z.int().check(z.gte(1), z.lte(65535)),
  }),
  z.strictObject({ ...common, type: z.literal('http'), url, 'tls-verify': z._default(booleanField, true) }),
  z
    .strictObject({
      ...common,
      type: z.literal('ssh'),
      host: sshEndpoint,
      'known-hosts': z
        .string()
        .check(z.minLength(1, 'is required: the host keys to trust (never trusted on first use)')),
      'key-secret': z.optional(z.string().check(z.regex(/^\w+$/, 'is not an environment variable name'))),
      /** The variable holding the key's passphrase, if it has one (unlocked as a release does). */
      'passphrase-secret': z.optional(
        z.string().check(z.regex(/^\w+$/, 'is not an environment variable name')),
      ),
      jump: z._default(z.array(sshEndpoint), []),
      /** The deploy user may run sudo without a password there (sudo -n true). */
      sudo: z._default(booleanField, false),
      /** Free space under this directory on the host, at least min-free. */
      'disk-path': z.optional(z.string().check(z.minLength(1))),
      'min-free': z.optional(amountField),
    })
    .check(
      z.refine((check) => (check['disk-path'] === undefined) === (check['min-free'] === undefined), {
        message: 'disk-path and min-free go together (the space needed under that directory on the host)',
        path: ['disk-path'],
      }),
    ),
  z.strictObject({
    ...common,
    type: z.literal('artifact'),
    path: z.string().check(z.minLength(1)),
    sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, 'is not a sha256 (64 hex digits)'))),
  }),
  z.strictObject({
    ...common,
    type: z.literal('image'),
    image: z.string().check(z.regex(/^[\w./:@-]+$/, 'is not an image reference')),
    registry: z.optional(url),
    command: z._default(z.string(), 'docker manifest inspect {image}'),
  }),
  z.strictObject({
    ...common,
    type: z.literal('not-bad'),
    // A name, never a path: it names a state file in state-dir.
    environment: z
      .string()
      .check(z.regex(ENVIRONMENT_NAME, 'is not an environment name (letters, digits, . _ -)')),
    version: z.string().check(z.minLength(1)),
  }),
  z.strictObject({
    ...common,
    type: z.literal('haproxy'),
    socket: z.string().check(z.minLength(1)),
    backend: z.string().check(z.regex(/^[A-Za-z0-9_.:-]+$/, 'is not a backend name')),
    servers: z.array(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'is not a server name'))),
  }),
  z.strictObject({
    ...common,
    type: z.literal('nginx'),
    'upstream-file': z.string().check(z.minLength(1)),
    'test-command': z._default(z.string(), 'nginx -t'),
  }),
]);

export type PreflightCheck = z.output<typeof check> & { readonly name: string };
export const PREFLIGHT_TYPES = [
  'secret',
  'command',
  'disk',
  'memory',
  'tcp',
  'http',
  'ssh',
  'artifact',
  'image',
  'not-bad',
  'haproxy',
  'nginx',
] as const;

export interface PreflightSettings {
  readonly checks: readonly PreflightCheck[];
  readonly timeoutMs: number;
  readonly stateDir: string;
}

export function parsePreflightSettings(raw: RawInputs): PreflightSettings {
  const values = applyDefaults(preflightInputs, raw);
  const { timeout } = parseWithSchema(z.object({ timeout: durationField }), values);
  const listed = readStructuredText(values.checks!, 'checks');
  if (!Array.isArray(listed) || listed.length === 0)
    throw new ConfigurationError(
      'checks',
      'expected a non-empty list of checks, e.g. - { type: secret, secret: DEPLOY_KEY }',
    );
  const checks = listed.map((entry: unknown, index) => {
    const type = (entry as { type?: unknown } | null)?.type;
    const label = `check ${index + 1}`;
    if (!PREFLIGHT_TYPES.includes(type as never)) {
      throw new ConfigurationError(
        'checks',
        `${label}: unknown type ${JSON.stringify(type)}; use one of ${PREFLIGHT_TYPES.join(', ')}`,
      );
    }
    const parsed = parseWithSchema(check, entry, 'checks', label);
    return { ...parsed, name: parsed.name ?? defaultName(parsed) };
  });
  return { checks, timeoutMs: timeout, stateDir: values['state-dir']! };
}

function defaultName(parsed: z.output<typeof check>): string {
  switch (parsed.type) {
    case 'secret':
      return `secret ${parsed.secret}`;
    case 'command':
      return `command ${parsed.command}`;
    case 'disk':
      return `disk ${parsed.path}`;
    case 'memory':
      return 'memory';
    case 'tcp':
      return `tcp ${parsed.host}:${parsed.port}`;
    case 'http':
      return `http ${parsed.url.host}`;
    case 'ssh':
      return `ssh ${formatSshEndpoint(parsed.host)}`;
    case 'artifact':
      return `artifact ${parsed.path}`;
    case 'image':
      return `image ${parsed.image}`;
    case 'not-bad':
      return `${parsed.version} not bad in ${parsed.environment}`;
    case 'haproxy':
      return `haproxy ${parsed.backend}`;
    case 'nginx':
      return `nginx ${parsed['upstream-file']}`;
  }
}
