import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../platform/logger.js';
import type { HttpHandler } from '../../../platform/metrics-server.js';
import { Summary } from '../../../proto/gen/ecom/analytics/v1/analytics.js';
import { checkWindow } from '../server.js';
import { buildSummary, type SummarySources } from '../summary.js';
import { dashboardPage } from './page.js';
import { dashboardSnapshot } from './snapshot.js';

/** Options of {@link dashboardHttp}. */
export interface DashboardOptions {
  sources: SummarySources;
  instance: string;
  /** Seconds of per-second history charted. */
  seconds: number;
  /** How often connected pages get a snapshot. */
  pushIntervalMs: number;
  maxWindowSeconds: number;
  logger: Logger;
}

/** The dashboard's HTTP side; `stop()` ends every open event stream. */
export interface DashboardHttp {
  handler: HttpHandler;
  /** Pages connected right now. */
  clients(): number;
  stop(): Promise<void>;
}

/** A server-sent event carrying one JSON document. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The page is self-contained: nothing may be loaded from anywhere else.
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
};

/**
 * Serves the live dashboard on the analytics HTTP port: `/` (the page), `/events` (server-sent
 * events: one `snapshot` every `pushIntervalMs`, built once and sent to every page),
 * `/api/snapshot` and `/api/summary?window=N` (JSON).
 */
export function dashboardHttp(opts: DashboardOptions): DashboardHttp {
  const page = dashboardPage({ instance: opts.instance, seconds: opts.seconds });
  const streams = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;

  const snapshot = () => dashboardSnapshot(opts.sources, opts.seconds);
  const push = () => {
    if (streams.size === 0) return;
    let text: string;
    try {
      text = sseEvent('snapshot', snapshot());
    } catch (err) {
      opts.logger.error({ err }, 'dashboard snapshot failed');
      return;
    }
    for (const res of streams) res.write(text);
  };
  const startTimer = () => {
    timer ??= setInterval(push, opts.pushIntervalMs);
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const handler: HttpHandler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    switch (url.pathname) {
      case '/':
      case '/index.html':
        res.writeHead(200, PAGE_HEADERS);
        res.end(req.method === 'HEAD' ? undefined : page);
        return true;
      case '/events':
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write('retry: 2000\n\n');
        res.write(sseEvent('snapshot', snapshot()));
        streams.add(res);
        req.on('close', () => streams.delete(res));
        startTimer();
        return true;
      case '/api/snapshot':
        json(res, 200, snapshot());
        return true;
      case '/api/summary': {
        const raw = url.searchParams.get('window') ?? '60';
        try {
          const window = checkWindow(Number(raw), opts.maxWindowSeconds);
          json(res, 200, Summary.toJSON(buildSummary(opts.sources, window)));
        } catch (err) {
          json(res, 400, { error: (err as Error).message });
        }
        return true;
      }
      default:
        return false;
    }
  };

  return {
    handler,
    clients: () => streams.size,
    async stop() {
      clearInterval(timer);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
