import { Redis } from 'ioredis';
import type { Endpoint } from './config.js';
import type { Logger } from './logger.js';

export type { Redis };

/** A Redis connection that can be stopped. */
export interface RedisHandle {
  client: Redis;
  stop(): Promise<void>;
}

/**
 * Connects to Redis. Commands fail fast while disconnected (no offline queue, bounded retries per
 * request) so callers can apply their own policy when Redis is down (fail open or closed).
 */
export function createRedis(
  endpoint: Endpoint,
  logger: Logger,
  opts: { commandTimeoutMs?: number } = {},
): RedisHandle {
  const client = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 1_000,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
  });
  let lastState = '';
  client.on('error', (err: Error) => {
    if (lastState !== 'error') logger.warn({ err: err.message }, 'redis connection error');
    lastState = 'error';
  });
  client.on('ready', () => {
    if (lastState === 'error') logger.info('redis connection restored');
    lastState = 'ready';
  });
  return {
    client,
    async stop() {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
