import type { ProbeSpec } from '../model/health.ts';
import type { CommandRunner } from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import type { Probe } from './probe.ts';
import { createCommandProbe } from './probes/command-probe.ts';
import { createHttpProbe } from './probes/http-probe.ts';
import { createPromqlProbe } from './probes/promql-probe.ts';
import { createTcpProbe } from './probes/tcp-probe.ts';

/** Header names whose values are credentials: masked in the log and redacted from every report. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|api[-_]?key|credential|session/i;

/** The probe a spec declares, its credentials registered as secrets first. */
export function createProbe(spec: ProbeSpec, runner: CommandRunner, redactor: Redactor): Probe {
  registerSecrets(spec, redactor);
  switch (spec.type) {
    case 'http':
      return createHttpProbe(spec);
    case 'tcp':
      return createTcpProbe(spec);
    case 'command':
      return createCommandProbe(spec, runner);
    case 'promql':
      return createPromqlProbe(spec);
  }
}

function registerSecrets(spec: ProbeSpec, redactor: Redactor): void {
  const headers = 'headers' in spec ? spec.headers : {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    redactor.add(value);
    // `Bearer abc…`: the credential alone must go too, in case a server echoes it without the scheme.
    const [, credential] = /^\s*\S+\s+(\S+)\s*$/.exec(value) ?? [];
    if (credential) redactor.add(credential);
  }
  const url = spec.type === 'http' ? spec.url : spec.type === 'promql' ? spec.prometheus : undefined;
  if (url?.password) redactor.add(decodeURIComponent(url.password));
}
