import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../ports.js';
import type { StartedServer } from './started.js';
import { startRedis } from './redis.js';
import { fourLetterWord, startZooKeeper } from './zookeeper.js';

const logger = pino({ level: 'silent' });
let dir: string;
const servers: StartedServer[] = [];

const rssMiB = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-rzk-int-'));
});
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Redis and ZooKeeper', () => {
  it('start on loopback ports, answer PING and srvr, and stop', async () => {
    const [redisPort, zkPort] = (await freePorts(2)) as [number, number];
    const timed = async (p: Promise<StartedServer>): Promise<[StartedServer, number]> => {
      const t0 = Date.now();
      const s = await p;
      servers.push(s);
      return [s, Date.now() - t0];
    };
    const [[redis, redisMs], [zk, zkMs]] = await Promise.all([
      timed(startRedis({ name: 'redis', dir: path.join(dir, 'redis'), port: redisPort, logger })),
      timed(startZooKeeper({ name: 'zookeeper', dir: path.join(dir, 'zookeeper'), port: zkPort, logger })),
    ]);

    const client = new Redis({
      host: redis.host,
      port: redis.port,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
    } finally {
      client.disconnect();
    }
    expect(await fourLetterWord(zk.host, zk.port, 'srvr')).toMatch(/^Mode: standalone$/m);
    expect(await fourLetterWord(zk.host, zk.port, 'ruok')).toBe('imok');

    await new Promise((res) => setTimeout(res, 1_000));
    console.log(
      `ready: redis ${redisMs} ms, zookeeper ${zkMs} ms (started in parallel); ` +
        `idle RSS redis ${rssMiB(redis.pid)} MiB, zookeeper ${rssMiB(zk.pid)} MiB`,
    );
    expect(fs.readFileSync(zk.child.logFile, 'utf8')).toMatch(/INFO org\.apache\.zookeeper/);

    await Promise.all([redis.stop(), zk.stop()]);
    for (const s of [redis, zk]) {
      expect(s.child.running()).toBe(false);
      expect(fs.existsSync(`/proc/${s.pid}`)).toBe(false);
    }
  });
});
