import { type HttpResponse, sendHttpRequest } from '../../clients/http-request.ts';
import { formatDuration } from '../../durations.ts';
import { selectJsonPath } from '../json-path.ts';
import { type Probe, type ProbeOutcome, quote } from '../probe.ts';
import type { HttpProbeDeclaration } from '../probe-schema.ts';
import { expectedStatus } from '../probe-schema.ts';
import { displayUrl } from '../public-values.ts';
import { statusMatches } from '../status-matcher.ts';

/** An HTTP(S) request judged on status, JSON paths, body and latency. */
export function createHttpProbe(spec: HttpProbeDeclaration): Probe {
  return {
    name: spec.name,
    type: 'http',
    target: `${spec.method} ${displayUrl(spec.url, spec.public)}`,
    async measure(signal) {
      const response = await sendHttpRequest({
        url: spec.url,
        method: spec.method,
        headers: { 'user-agent': 'deploy-actions-health-check', ...spec.headers },
        ...(spec.body !== undefined ? { body: spec.body } : {}),
        tlsVerify: spec['tls-verify'],
        signal,
      });
      return judgeHttpResponse(spec, response);
    },
  };
}

/** Pure: whether `response` meets every expectation of `spec`, and why not. */
export function judgeHttpResponse(spec: HttpProbeDeclaration, response: HttpResponse): ProbeOutcome {
  const base = { value: response.status, latencyMs: response.latencyMs };
  const status = expectedStatus(spec);
  if (!statusMatches(status, response.status)) {
    return { ...base, phase: 'failed', reason: `status ${response.status}, expected ${status.description}` };
  }
  const findings = [`status ${response.status}`];
  const maxLatency = spec.expect['max-latency'];
  if (maxLatency !== undefined && response.latencyMs > maxLatency) {
    const took = formatDuration(response.latencyMs);
    return {
      ...base,
      phase: 'failed',
      reason: `slow: ${took}, over the ${formatDuration(maxLatency)} allowed`,
    };
  }
  if (spec.expect.body && !spec.expect.body.test(response.body)) {
    return {
      ...base,
      phase: 'failed',
      reason: `body ${quote(response.body)} does not match ${spec.expect.body}`,
    };
  }
  const jsonChecks = spec.expect.json ?? [];
  if (jsonChecks.length > 0) {
    let document: unknown;
    try {
      document = JSON.parse(response.body);
    } catch {
      return { ...base, phase: 'failed', reason: `body is not JSON: ${quote(response.body)}` };
    }
    for (const check of jsonChecks) {
      const selected = selectJsonPath(document, check.path);
      const where = check.path.source;
      if (!selected.found)
        return { ...base, phase: 'failed', reason: `${where} is missing from the response` };
      if (check.equals !== undefined && !looselyEqual(selected.value, check.equals)) {
        const reason = `${where} is ${quote(selected.value)}, expected ${quote(check.equals)}`;
        return { ...base, phase: 'failed', reason };
      }
      if (check.matches && !check.matches.test(scalarText(selected.value))) {
        const reason = `${where} is ${quote(selected.value)}, expected to match ${check.matches}`;
        return { ...base, phase: 'failed', reason };
      }
      findings.push(`${where} = ${quote(selected.value)}`);
    }
  }
  return { ...base, phase: 'successful', reason: findings.join(', ') };
}

/** YAML gives `UP` as a string and `1` as a number; a JSON body may say either. Compare as people mean it. */
function looselyEqual(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== 'object' || expected === null) {
    return actual === expected || (typeof expected === 'string' && scalarText(actual) === expected);
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
