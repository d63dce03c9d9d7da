import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError, InvalidArgument, NotFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { ProxyDefinition, ProxySet, ProxyUpdate } from './registry.js';
import type { ToxicInput, ToxicPatch } from './types.js';

/** A running HTTP API; `address` is "127.0.0.1:PORT". */
export interface ProxyApiServer {
  readonly address: string;
  stop(): Promise<void>;
}

const MAX_BODY = 1 << 20;
/** Domain error → HTTP status, as Toxiproxy answers (400 bad input, 404 missing, 409 exists/in use). */
const HTTP_STATUS: Record<string, number> = {
  InvalidArgument: 400,
  NotFound: 404,
  AlreadyExists: 409,
  FailedPrecondition: 409,
};

/**
 * Serves a {@link ProxySet} with Toxiproxy's HTTP API on 127.0.0.1:`port`:
 *   GET /version · POST /reset · GET|POST /proxies · GET|POST|PATCH|DELETE /proxies/{name}
 *   GET|POST /proxies/{name}/toxics · GET|POST|PATCH|DELETE /proxies/{name}/toxics/{toxic}
 * Bodies and answers are Toxiproxy's JSON; errors are `{"error": message, "status": code}` (plus
 * `field` for bad input). One extension: toxic type `partition` (see toxics/partition.ts).
 */
export async function serveProxyApi(set: ProxySet, logger: Logger, port = 0): Promise<ProxyApiServer> {
  const server = createServer((req, res) => {
    route(set, req, res).catch((err: unknown) => {
      const status = err instanceof DomainError ? (HTTP_STATUS[err.name] ?? 500) : 500;
      if (status === 500) logger.warn({ err, url: req.url }, 'proxy API request failed');
      const field = err instanceof InvalidArgument ? { field: err.field } : {};
      reply(res, status, { error: (err as Error).message, status, ...field });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  logger.info({ address }, 'fault proxy API listening');
  return {
    address,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(set: ProxySet, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://proxy-api');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeSegment);
  const method = req.method === 'PATCH' ? 'POST' : (req.method ?? 'GET');
  const [root, name, sub, toxic] = parts;
  const key =
    parts.length > 4 ? '' : `${method} ${[root, name && ':p', sub, toxic && ':t'].filter(Boolean).join('/')}`;
  const p = name as string;
  const t = toxic as string;
  switch (key) {
    case 'GET version':
      return reply(res, 200, { version: 'ecom-fault-proxy (toxiproxy-compatible)' });
    case 'POST reset':
      await set.reset();
      return reply(res, 204);
    case 'GET proxies':
      return reply(res, 200, Object.fromEntries(set.list().map((x) => [x.name, x])));
    case 'POST proxies': {
      const body = await readObject(req);
      await set.add(body as unknown as ProxyDefinition);
      return reply(res, 201, set.get(String(body.name)));
    }
    case 'GET proxies/:p':
      return reply(res, 200, set.get(p));
    case 'POST proxies/:p':
      return reply(res, 200, await set.update(p, (await readObject(req)) as ProxyUpdate));
    case 'DELETE proxies/:p':
      await set.remove(p);
      return reply(res, 204);
    case 'GET proxies/:p/toxics':
      return reply(res, 200, set.toxics(p));
    case 'POST proxies/:p/toxics':
      return reply(res, 200, set.addToxic(p, (await readObject(req)) as unknown as ToxicInput));
    case 'GET proxies/:p/toxics/:t':
      return reply(res, 200, set.getToxic(p, t));
    case 'POST proxies/:p/toxics/:t':
      return reply(res, 200, set.updateToxic(p, t, (await readObject(req)) as ToxicPatch));
    case 'DELETE proxies/:p/toxics/:t':
      set.removeToxic(p, t);
      return reply(res, 204);
    default:
      throw new NotFound(`no route for ${req.method} ${url.pathname}`);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgument('path', `malformed percent-encoding in ${JSON.stringify(segment)}`);
  }
}

async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new InvalidArgument('body', `bad request body: larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch (err) {
    throw new InvalidArgument('body', `bad request body: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidArgument('body', 'bad request body: expected a JSON object');
  return body as Record<string, unknown>;
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
