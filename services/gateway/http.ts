import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../platform/logger.js';
import type { HttpHandler } from '../../platform/metrics-server.js';
import { BehaviourError, type BehaviourControl } from './behaviour.js';
import type { GatewaySection } from './config.js';
import { GatewayError, serverError } from './errors.js';
import type { GatewayMetrics } from './metrics.js';
import { ClientGone } from './operations.js';
import { matchRoute, type ApiRequest, type Reply, apiRoutes } from './routes.js';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';
import type { Operations } from './operations.js';

const MAX_BODY_BYTES = 64 * 1024;

/** What the gateway's HTTP layer works with. */
export interface GatewayHttpDeps {
  ops: Operations;
  behaviour: BehaviourControl;
  config: GatewaySection;
  logger: Logger;
  metrics: GatewayMetrics;
  now?: () => number;
}

/** The gateway's HTTP API; `stop()` drops the connections it holds unanswered. */
export interface GatewayHttp {
  handler: HttpHandler;
  stop(): Promise<void>;
}

/**
 * Serves the payment API (`/v1/…`) with the injected faults of the current behaviour, and the
 * behaviour itself (`GET|PUT|DELETE /admin/behaviour`, no signature needed).
 *
 * A /v1 request goes: in-flight limit (429) → body → signature (401) → latency → errorRate or
 * burst (500, nothing done) → the operation → for a newly recorded charge or refund:
 * errorAfterCommitRate (500 after the commit) or timeoutRate / tok_timeout (never answered).
 */
export function gatewayHttp(deps: GatewayHttpDeps): GatewayHttp {
  const now = deps.now ?? Date.now;
  const routes = apiRoutes(deps.ops, deps.behaviour);
  const held = new Set<ServerResponse>();
  let inFlight = 0;

  const serveApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    let routeName = 'unknown';
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    try {
      const { route, params } = matchRoute(routes, req.method ?? 'GET', url.pathname);
      routeName = route.name;
      const body = await readBody(req);
      const idempotencyKey = header(req, 'idempotency-key');
      if (deps.config.signingSecret) {
        const why = verifySignature(
          header(req, SIGNATURE_HEADER),
          {
            method: req.method ?? 'GET',
            path: url.pathname + url.search,
            idempotencyKey: idempotencyKey ?? '',
            body,
          },
          deps.config.signingSecret,
          { now: now(), toleranceMs: deps.config.signatureToleranceMs },
        );
        if (why) throw new GatewayError(401, 'invalid_request_error', 'signature_invalid', why);
      }
      const latency = deps.behaviour.latencyMs();
      if (latency > 0) await sleep(latency);
      if (deps.behaviour.errorBefore()) {
        deps.metrics.faults.inc({ fault: 'error_before' });
        throw serverError();
      }
      const apiReq: ApiRequest = {
        method: req.method ?? 'GET',
        query: url.searchParams,
        body,
        idempotencyKey,
        stillWanted: () => !gone,
      };
      const reply = await route.run(apiReq, params);
      if (reply.fresh && deps.behaviour.errorAfterCommit()) {
        deps.metrics.faults.inc({ fault: 'error_after_commit' });
        throw serverError();
      }
      if (reply.fresh && (reply.forceTimeout || deps.behaviour.timeout())) {
        deps.metrics.faults.inc({ fault: 'timeout' });
        hold(res);
        return;
      }
      send(res, reply);
      deps.metrics.requests.inc({ route: routeName, status: String(reply.status) });
    } catch (err) {
      if (err instanceof ClientGone) {
        deps.metrics.requests.inc({ route: routeName, status: 'client_gone' });
        return;
      }
      const e = err instanceof GatewayError ? err : unexpected(err, deps.logger);
      send(res, { status: e.status, body: e.toJSON() });
      deps.metrics.requests.inc({ route: routeName, status: String(e.status) });
    }
  };

  const hold = (res: ServerResponse) => {
    held.add(res);
    const timer = setTimeout(() => res.destroy(), deps.config.holdMs);
    timer.unref();
    res.on('close', () => {
      clearTimeout(timer);
      held.delete(res);
    });
  };

  const serveAdmin = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const b = deps.behaviour;
      if (req.method === 'GET') return send(res, { status: 200, body: b.view() });
      if (req.method === 'DELETE') return send(res, { status: 200, body: b.reset() });
      if (req.method !== 'PUT') {
        throw new GatewayError(405, 'invalid_request_error', 'method_not_allowed', 'use GET, PUT or DELETE');
      }
      let patch: unknown;
      try {
        patch = JSON.parse(await readBody(req));
      } catch (err) {
        if (err instanceof GatewayError) throw err;
        throw new GatewayError(400, 'invalid_request_error', 'invalid_json', 'the body is not JSON');
      }
      const view = b.patch(patch);
      deps.logger.info({ behaviour: view }, 'behaviour changed');
      send(res, { status: 200, body: view });
    } catch (err) {
      const e =
        err instanceof BehaviourError
          ? new GatewayError(400, 'invalid_request_error', 'parameter_invalid', err.message, {
              param: err.field,
            })
          : err instanceof GatewayError
            ? err
            : unexpected(err, deps.logger);
      send(res, { status: e.status, body: e.toJSON() });
    }
  };

  const handler: HttpHandler = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/admin/behaviour') {
      void serveAdmin(req, res);
      return true;
    }
    if (!url.pathname.startsWith('/v1/')) return false;
    if (inFlight >= deps.config.maxInFlight) {
      req.resume();
      res.setHeader('retry-after', '1');
      send(res, {
        status: 429,
        body: new GatewayError(429, 'api_error', 'rate_limited', 'too many requests').toJSON(),
      });
      deps.metrics.requests.inc({ route: 'any', status: '429' });
      return true;
    }
    inFlight++;
    deps.metrics.inFlight.set(inFlight);
    res.on('close', () => deps.metrics.inFlight.set(--inFlight));
    void serveApi(req, res, url);
    return true;
  };

  return {
    handler,
    stop: async () => {
      for (const res of held) res.destroy();
    },
  };
}

function send(res: ServerResponse, reply: Pick<Reply, 'status' | 'body' | 'replayed'>): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (reply.replayed) headers['idempotent-replayed'] = 'true';
  res.writeHead(reply.status, headers);
  res.end(JSON.stringify(reply.body));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function unexpected(err: unknown, logger: Logger): GatewayError {
  logger.error({ err }, 'unexpected failure');
  return serverError('internal error');
}

/** Reads the body (at most 64 KiB; more is a 413 once the body has been drained). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(
          new GatewayError(
            413,
            'invalid_request_error',
            'body_too_large',
            `the body exceeds ${MAX_BODY_BYTES} bytes`,
          ),
        );
      } else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
