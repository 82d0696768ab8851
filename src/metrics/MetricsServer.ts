/**
 * The HTTP endpoint of --metrics-port: GET /metrics in the Prometheus text format, on 127.0.0.1
 * unless --metrics-host says otherwise. Started before any runner (a port in use is a usage error,
 * nothing started) and closed after the run's end plus --grace, so a scraper sees the final values.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { UsageError } from '../core/errors.js';

export interface MetricsServer {
  url: string;
  /** from now on /metrics renders this registry (503 before: the run is not set up yet) */
  serve(registry: Registry): void;
  close(): Promise<void>;
}

export async function startMetricsServer(host: string, port: number): Promise<MetricsServer> {
  let registry: Registry | undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('pylogen serves /metrics\n');
      return;
    }
    if (registry === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('the run is starting\n');
      return;
    }
    const r = registry;
    r.metrics().then(
      (text) => res.writeHead(200, { 'content-type': r.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UsageError(`--metrics-port ${port}: cannot listen on ${host}:${port} (${err.code ?? err.message})`)),
    );
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${shown}:${a.port}/metrics`,
    serve: (r) => {
      registry = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
