import { sendHttpRequest } from './http-request.ts';

/** One series of an instant query's answer: its labels and its value (NaN stays NaN). */
export interface PromSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromQueryRequest {
  readonly baseUrl: URL;
  readonly query: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tlsVerify?: boolean;
  readonly signal: AbortSignal;
}

/**
 * An instant query against Prometheus's HTTP API (`GET /api/v1/query`). Rejects, in words,
 * when Prometheus cannot be reached, refuses the query (its own error message), or answers
 * with something that is not its API. An empty result is an empty list: the caller decides.
 */
export async function queryPrometheus(request: PromQueryRequest): Promise<PromSample[]> {
  const url = new URL(
    'api/v1/query',
    request.baseUrl.href.endsWith('/') ? request.baseUrl : `${request.baseUrl.href}/`,
  );
  url.searchParams.set('query', request.query);
  const response = await sendHttpRequest({
    url,
    method: 'GET',
    headers: { accept: 'application/json', ...request.headers },
    tlsVerify: request.tlsVerify ?? true,
    signal: request.signal,
  });
  let body: PromApiBody;
  try {
    body = JSON.parse(response.body) as PromApiBody;
  } catch {
    throw new Error(`Prometheus at ${url.host} answered ${response.status} with a body that is not JSON`);
  }
  if (body.status === 'error') {
    throw new Error(
      `Prometheus refused the query (${body.errorType ?? response.status}): ${body.error ?? 'no reason given'}`,
    );
  }
  if (response.status !== 200 || body.status !== 'success' || !body.data) {
    throw new Error(`Prometheus at ${url.host} answered ${response.status} without a query result`);
  }
  return readSamples(body.data);
}

interface PromApiBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

function readSamples(data: { resultType: string; result: unknown }): PromSample[] {
  switch (data.resultType) {
    case 'vector':
      return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((series) => ({
        labels: series.metric,
        value: Number(series.value[1]),
      }));
    case 'scalar':
      return [{ labels: {}, value: Number((data.result as [number, string])[1]) }];
    default:
      throw new Error(
        `the query returns a ${data.resultType}; a health check needs an instant vector or scalar`,
      );
  }
}
