import pRetry from 'p-retry';
import { sendHttpRequest } from '../clients/http-request.ts';
import { queryPrometheus } from '../clients/prometheus-query.ts';
import { describeError } from '../errors.ts';
import type { Candidate, GateCheck, RunnerGateSettings } from '../model/gate.ts';
import type { Reading } from './decide-runner.ts';

/** Retries a read `retries` times, 200 ms apart growing ×2; each try bounded by `timeoutMs`. */
async function withRetries<T>(
  settings: RunnerGateSettings,
  read: (signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return pRetry(
    () => read(AbortSignal.any([AbortSignal.timeout(settings.queryTimeoutMs), ...(signal ? [signal] : [])])),
    {
      retries: settings.queryRetries,
      minTimeout: 200,
      factor: 2,
      ...(signal ? { signal } : {}),
    },
  );
}

/** One PromQL check for one candidate, from Prometheus. */
export async function queryCheck(
  settings: RunnerGateSettings,
  candidate: Candidate,
  check: GateCheck,
  signal?: AbortSignal,
): Promise<Reading> {
  try {
    const samples = await withRetries(
      settings,
      (attempt) =>
        queryPrometheus({
          baseUrl: settings.prometheusUrl!,
          query: check.query.replaceAll('{runner}', candidate.name),
          signal: attempt,
        }),
      signal,
    );
    return samples.length === 0
      ? { kind: 'no-series' }
      : { kind: 'values', values: samples.map((sample) => sample.value) };
  } catch (error) {
    return { kind: 'error', reason: `${settings.prometheusUrl!.host}: ${describeError(error)}` };
  }
}

interface ParsedFamily {
  name: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

/**
 * Every check of a candidate from one scrape of its exporter's /metrics (no Prometheus needed).
 * A check reads its metric's samples whose `runner` label is the candidate (or that have none).
 */
export async function scrapeChecks(
  settings: RunnerGateSettings,
  candidate: Candidate,
  signal?: AbortSignal,
): Promise<Reading[]> {
  const url = candidate.metricsUrl!;
  let families: ParsedFamily[];
  try {
    const body = await withRetries(
      settings,
      async (attempt) => {
        const response = await sendHttpRequest({
          url,
          method: 'GET',
          headers: { accept: 'text/plain' },
          tlsVerify: true,
          signal: attempt,
        });
        if (response.status !== 200) throw new Error(`answered ${response.status}`);
        return response.body;
      },
      signal,
    );
    const { default: parsePrometheusTextFormat } = await import('parse-prometheus-text-format');
    try {
      families = parsePrometheusTextFormat(body) as ParsedFamily[];
    } catch {
      // The parser's error quotes the answer; an answer is never quoted (it may hold anything).
      throw new Error('its answer is not Prometheus text format');
    }
  } catch (error) {
    const reason = `${url.host}: ${describeError(error)}`;
    return settings.checks.map(() => ({ kind: 'error', reason }));
  }
  return settings.checks.map((check) => {
    if (!check.metric)
      return { kind: 'error', reason: `${check.name} is a PromQL check: it needs prometheus-url` };
    const family = families.find((f) => f.name === check.metric);
    const values = (family?.metrics ?? [])
      .filter((sample) => !sample.labels?.runner || sample.labels.runner === candidate.name)
      .map((sample) => Number(sample.value));
    return values.length === 0 ? { kind: 'no-series' } : { kind: 'values', values };
  });
}
