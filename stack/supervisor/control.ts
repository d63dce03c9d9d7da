import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../platform/logger.js';

/** What the control API can do; implemented by the supervisor. */
export interface ControlTarget {
  state(): unknown;
  shutdown(): void;
  stopComponent(name: string): Promise<void>;
  startComponent(name: string): Promise<void>;
  signalComponent(name: string, sig: NodeJS.Signals): Promise<void>;
}

const SIGNALS = new Set<NodeJS.Signals>(['SIGSTOP', 'SIGCONT', 'SIGKILL', 'SIGTERM']);

/**
 * The supervisor's loopback HTTP API, used by `ecom down`, `status` and chaos faults:
 *   GET  /state                         the stack state
 *   POST /shutdown                      stop everything, then exit
 *   POST /components/NAME/stop|start    stop or start one component (kill faults, restarts)
 *   POST /components/NAME/signal?sig=S  SIGSTOP / SIGCONT / SIGKILL / SIGTERM (pause faults)
 */
export async function startControlServer(
  target: ControlTarget,
  logger: Logger,
): Promise<{ address: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(target, req, res).catch((err: unknown) => {
      logger.warn({ err, url: req.url }, 'control request failed');
      reply(res, 500, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(target: ControlTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const parts = url.pathname.split('/').filter(Boolean);
  if (req.method === 'GET' && url.pathname === '/state') return reply(res, 200, target.state());
  if (req.method === 'POST' && url.pathname === '/shutdown') {
    reply(res, 202, { stopping: true });
    target.shutdown();
    return;
  }
  if (req.method === 'POST' && parts[0] === 'components' && parts.length === 3) {
    const name = decodeURIComponent(parts[1]!);
    const action = parts[2];
    if (action === 'stop') await target.stopComponent(name);
    else if (action === 'start') await target.startComponent(name);
    else if (action === 'signal') {
      const sig = url.searchParams.get('sig') as NodeJS.Signals | null;
      if (!sig || !SIGNALS.has(sig))
        return reply(res, 400, { error: `sig must be one of ${[...SIGNALS].join(', ')}` });
      await target.signalComponent(name, sig);
    } else return reply(res, 404, { error: `unknown action ${action}` });
    return reply(res, 200, { ok: true });
  }
  reply(res, 404, { error: 'not found' });
}

function reply(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
