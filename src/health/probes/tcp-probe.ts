import { connectTcp } from '../../clients/tcp-connect.ts';
import type { TcpProbeDeclaration } from '../../schema/probe-schema.ts';
import { type Probe, quote } from '../probe.ts';

/** A TCP connect, optionally judged on the server's greeting (e.g. `^SSH-2\.0`). */
export function createTcpProbe(spec: TcpProbeDeclaration): Probe {
  const banner = spec.expect.banner;
  return {
    name: spec.name,
    type: 'tcp',
    target: `${spec.host}:${spec.port}`,
    async measure(signal) {
      const result = await connectTcp(spec.host, spec.port, signal, banner);
      if (!banner) return { phase: 'successful', reason: 'connected', latencyMs: result.latencyMs };
      const seen = quote(result.banner ?? '');
      return result.bannerMatched
        ? {
            phase: 'successful',
            value: result.banner,
            reason: `greeting ${seen}`,
            latencyMs: result.latencyMs,
          }
        : { phase: 'failed', value: result.banner, reason: `greeting ${seen} does not match ${banner}` };
    },
  };
}
