import type { ProbeSpec } from '../model/health.ts';
import type { CommandRunner } from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import type { Probe } from './probe.ts';
import { createCommandProbe } from './probes/command-probe.ts';
import { createHttpProbe } from './probes/http-probe.ts';
import { createPromqlProbe } from './probes/promql-probe.ts';
import { createTcpProbe } from './probes/tcp-probe.ts';
import { publicNames, urlSecrets } from './public-values.ts';

/** The probe a spec declares, every value it was given registered as a secret first. */
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

/**
 * The rule: a value given to a probe (header, query parameter, environment variable, URL
 * password) is a secret unless its name is public (the probe's `public` list, or a standard
 * header such as Accept). Secrets are masked in the log and replaced by `***` in every report.
 */
function registerSecrets(spec: ProbeSpec, redactor: Redactor): void {
  if (spec.type === 'tcp') return;
  const shown = publicNames(spec.public);
  const given = spec.type === 'command' ? spec.env : spec.headers;
  for (const [name, value] of Object.entries(given)) {
    if (shown.has(name.toLowerCase())) continue;
    redactor.add(value);
    // `Bearer abc…`: the credential alone must go too, in case a server echoes it without the scheme.
    const [, credential] = /^\s*\S+\s+(\S+)\s*$/.exec(value) ?? [];
    if (credential) redactor.add(credential);
  }
  const url = spec.type === 'http' ? spec.url : spec.type === 'promql' ? spec.prometheus : undefined;
  for (const secret of url ? urlSecrets(url, spec.public) : []) redactor.add(secret);
}
