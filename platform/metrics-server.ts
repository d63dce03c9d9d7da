import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { withHttpServerSpan } from './tracing/http.js';

/** A running HTTP server for `/metrics` (Prometheus text format) and `/healthz`. */
export interface StartedMetricsServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Handles an HTTP request other than /metrics and /healthz; returns false to answer 404. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Serves the registry on `/metrics` and `/healthz`. Anything else goes to `handler` (the gateway
 * simulator's payment API, analytics' dashboard), or is answered 404.
 */
export async function serveMetrics(opts: {
  registry: Registry;
  host: string;
  port: number;
  handler?: HttpHandler;
}): Promise<StartedMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    const handler = opts.handler;
    if (handler && withHttpServerSpan(req, res, () => handler(req, res))) return;
    res.writeHead(404);
    res.end('not found\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${opts.host}:${port}/metrics`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
