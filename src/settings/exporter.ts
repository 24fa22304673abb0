import { ConfigurationError } from '../errors.ts';
import type { ExporterSettings, StatusSource } from '../model/exporter.ts';
import { applyDefaults, type InputSpecs, type RawInputs } from './input-spec.ts';

/** The runner exporter's options (CLI only: it is a service, not a step). */
export const exporterInputs = {
  runner: { description: 'The runner name in the runner label (default: this host name).', default: '' },
  role: { description: 'The role label, e.g. primary or secondary.', default: 'primary' },
  listen: { description: 'Address and port to serve /metrics on.', default: '0.0.0.0:9100' },
  status: {
    description:
      'How to tell the runner is up: systemd:<unit>, pidfile:<path>, process:<name> (as in /proc/*/comm), or always.',
    default: 'process:Runner.Listener',
  },
  'disk-path': { description: 'The filesystem whose use runner_disk_usage_percent reports.', default: '/' },
} as const satisfies InputSpecs;

const LABEL = /^[\w.-]+$/;

export function parseExporterSettings(raw: RawInputs, hostName: string): ExporterSettings {
  const values = applyDefaults(exporterInputs, raw);
  const runner = values.runner || hostName;
  if (!LABEL.test(runner))
    throw new ConfigurationError('runner', `"${runner}" is not a plain name (letters, digits, . _ -)`);
  if (!LABEL.test(values.role!)) throw new ConfigurationError('role', `"${values.role}" is not a plain name`);
  const listen = /^(.*):(\d{1,5})$/.exec(values.listen!);
  const port = Number(listen?.[2]);
  if (!listen || port > 65535)
    throw new ConfigurationError('listen', `"${values.listen}" is not host:port (e.g. 0.0.0.0:9100)`);
  return {
    runner,
    role: values.role!,
    // [::]:9100 listens on IPv6: the socket takes the host without its brackets.
    host: listen[1]?.replace(/^\[(.*)\]$/, '$1') || '0.0.0.0',
    port,
    status: parseStatus(values.status!),
    diskPath: values['disk-path']!,
  };
}

function parseStatus(text: string): StatusSource {
  if (text === 'always') return { kind: 'always' };
  const [kind, ...rest] = text.split(':');
  const value = rest.join(':');
  if (value && kind === 'systemd') return { kind, unit: value };
  if (value && kind === 'pidfile') return { kind, path: value };
  if (value && kind === 'process') return { kind, name: value };
  throw new ConfigurationError(
    'status',
    `"${text}" is not systemd:<unit>, pidfile:<path>, process:<name> or always`,
  );
}
