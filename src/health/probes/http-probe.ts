import { type HttpResponse, sendHttpRequest } from '../../clients/http-request.ts';
import { formatDuration } from '../../durations.ts';
import { selectJsonPath } from '../../schema/json-path.ts';
import type { HttpCondition, HttpProbeDeclaration } from '../../schema/probe-schema.ts';
import { expectedStatus } from '../../schema/probe-schema.ts';
import { statusMatches } from '../../schema/status-matcher.ts';
import { type ConditionResult, classify, type Probe, type ProbeOutcome, quote } from '../probe.ts';
import { displayUrl } from '../public-values.ts';

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

/** Pure: the response against `expect` (and `fail-when`, if declared), and why. */
export function judgeHttpResponse(spec: HttpProbeDeclaration, response: HttpResponse): ProbeOutcome {
  const success = checkResponse({ ...spec.expect, status: expectedStatus(spec) }, response);
  const failWhen = spec['fail-when'];
  const failure = failWhen ? checkResponse(failWhen, response) : undefined;
  return { value: response.status, latencyMs: response.latencyMs, ...classify(success, failure) };
}

/** Whether every expectation in `condition` holds of `response`; the first that does not says why. */
function checkResponse(condition: HttpCondition, response: HttpResponse): ConditionResult {
  const { status } = condition;
  if (status && !statusMatches(status, response.status))
    return unmet(`status ${response.status}, expected ${status.description}`);
  const findings = [`status ${response.status}`];
  const maxLatency = condition['max-latency'];
  if (maxLatency !== undefined && response.latencyMs > maxLatency) {
    const took = formatDuration(response.latencyMs);
    return unmet(`slow: ${took}, over the ${formatDuration(maxLatency)} allowed`);
  }
  if (condition.body && !condition.body.test(response.body))
    return unmet(`body ${quote(response.body)} does not match ${condition.body}`);
  const jsonChecks = condition.json ?? [];
  if (jsonChecks.length === 0) return { holds: true, reason: findings.join(', ') };
  let document: unknown;
  try {
    document = JSON.parse(response.body);
  } catch {
    return unmet(`body is not JSON: ${quote(response.body)}`);
  }
  for (const check of jsonChecks) {
    const selected = selectJsonPath(document, check.path);
    const where = check.path.source;
    if (!selected.found) return unmet(`${where} is missing from the response`);
    if (check.equals !== undefined && !looselyEqual(selected.value, check.equals))
      return unmet(`${where} is ${quote(selected.value)}, expected ${quote(check.equals)}`);
    if (check.matches && !check.matches.test(scalarText(selected.value)))
      return unmet(`${where} is ${quote(selected.value)}, expected to match ${check.matches}`);
    findings.push(`${where} = ${quote(selected.value)}`);
  }
  return { holds: true, reason: findings.join(', ') };
}

const unmet = (reason: string): ConditionResult => ({ holds: false, reason });

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
