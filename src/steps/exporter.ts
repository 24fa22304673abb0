import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRunnerRegistry } from '../exporter/runner-metrics.ts';
import type { ExporterSettings } from '../model/exporter.ts';
import type { CommandRunner, Logger } from '../ports.ts';

/** Serves the runner's metrics until `signal` aborts; resolves once the server has closed. */
export async function runExporter(
  settings: ExporterSettings,
  deps: { logger: Logger; runner: CommandRunner; signal: AbortSignal },
): Promise<void> {
  const registry = createRunnerRegistry(settings, deps.runner);
  const server = http.createServer(async (req, res) => {
    if (req.url === '/metrics') {
      try {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(body);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`collecting failed: ${(error as Error).message}\n`);
      }
      return;
    }
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/' ? 'deploy-actions runner exporter: see /metrics\n' : 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  deps.logger.info(
    `runner exporter for ${settings.runner} (${settings.role}) on http://${address}:${port}/metrics`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      deps.logger.info('runner exporter stopping');
      server.close(() => resolve());
      server.closeAllConnections();
    };
    if (deps.signal.aborted) stop();
    else deps.signal.addEventListener('abort', stop, { once: true });
  });
}
