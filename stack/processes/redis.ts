import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { requireExecutable } from '../which.js';
import { spawnChild } from './child.js';
import { startedServer, type StartedServer } from './started.js';
import { tcpRequest } from './tcp-probe.js';
import { waitFor } from './wait.js';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Component name, e.g. "redis". */
  name: string;
  /** Working folder of this instance (log file; no data is persisted). */
  dir: string;
  port: number;
  logger: Logger;
  /** Default 20 s. */
  readyTimeoutMs?: number;
}

/** A running redis-server; see {@link startRedis}. */
export type StartedRedis = StartedServer;

/**
 * Answers true to +PONG, false to -LOADING (the dataset is still being loaded: ask again), and
 * throws on anything else.
 */
export async function redisPing(host: string, port: number): Promise<boolean> {
  const reply = await tcpRequest(host, port, 'PING\r\n', {
    timeoutMs: 1_000,
    done: (r) => r.includes('\r\n'),
  });
  if (reply.startsWith('+PONG')) return true;
  if (reply.startsWith('-LOADING')) return false;
  throw new Error(`unexpected reply to PING: ${JSON.stringify(reply.slice(0, 200))}`);
}

/**
 * Starts redis-server in the foreground on 127.0.0.1:`port`, without persistence (no RDB
 * snapshots, no AOF). Resolves once PING answers PONG.
 */
export async function startRedis(opts: StartRedisOptions): Promise<StartedRedis> {
  const redisServer = requireExecutable('redis-server', 'redis-server');
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const child = spawnChild({
    name: opts.name,
    command: redisServer,
    args: [
      '--port',
      String(opts.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
    ],
    cwd: dir,
    logFile: path.join(dir, 'redis.log'),
  });
  const server = startedServer(child, opts.port);
  try {
    await waitFor(() => redisPing('127.0.0.1', opts.port), {
      timeoutMs: opts.readyTimeoutMs ?? 20_000,
      intervalMs: 25,
      what: `${opts.name} (redis-server on 127.0.0.1:${opts.port})`,
      child,
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  opts.logger.info(
    { name: opts.name, port: opts.port, pid: child.pid, readyMs: Date.now() - started },
    'redis ready',
  );
  return server;
}
