import type net from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProxySet, type ProxySet } from './registry.js';
import { connect, startTestServer, type TestServer } from './testing.js';

const logger = pino({ level: 'silent' });
const MB = 1 << 20;
let source: TestServer;
let set: ProxySet;

/** A server that sends `total` bytes as fast as the connection takes them (respecting drain), then FIN. */
const firehose = (total: number) =>
  startTestServer((socket) => {
    const chunk = Buffer.alloc(256 * 1024, 0x5a);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });

/** Reads everything, pausing `pauseMs` after every chunk; resolves with the byte count at FIN. */
const slowReader = (s: net.Socket, pauseMs: number): Promise<number> =>
  new Promise((resolve, reject) => {
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      s.pause();
      setTimeout(() => s.resume(), pauseMs);
    });
    s.once('end', () => resolve(got));
    s.once('error', reject);
  });

afterEach(async () => {
  await set.stop();
  await source.stop();
});

describe('backpressure', () => {
  let total: number;
  beforeEach(() => {
    set = createProxySet(logger);
  });

  for (const withToxic of [false, true]) {
    it(`a ${withToxic ? '20' : '50'} MB transfer to a slow reader keeps the proxy's buffers to a few MB${withToxic ? ' (through a toxic chain)' : ''}`, async () => {
      total = (withToxic ? 20 : 50) * MB;
      source = await firehose(total);
      const { listen } = await set.add({ name: 'bulk', upstream: `127.0.0.1:${source.port}` });
      if (withToxic) set.addToxic('bulk', { type: 'latency', attributes: { latency: 1 } });
      const rss0 = process.memoryUsage().rss;
      let maxBuffered = 0;
      const sampler = setInterval(() => {
        maxBuffered = Math.max(maxBuffered, set.stats().bulk?.bufferedBytes ?? 0);
      }, 5);
      const c = await connect(Number(listen.split(':').pop()));
      const t0 = performance.now();
      const got = await slowReader(c, 1);
      clearInterval(sampler);
      const ms = performance.now() - t0;
      c.destroy();
      console.log(
        `${total / MB} MB to a slow reader in ${ms.toFixed(0)} ms: max buffered in proxy ${(maxBuffered / MB).toFixed(2)} MB, ` +
          `rss growth ${((process.memoryUsage().rss - rss0) / MB).toFixed(1)} MB`,
      );
      expect(got).toBe(total);
      expect(maxBuffered).toBeGreaterThan(0);
      expect(maxBuffered).toBeLessThan(4 * MB);
    });
  }
});
