import net from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProxySet, type ProxySet } from './registry.js';
import {
  connect,
  readBytes,
  roundTrip,
  startEchoServer,
  startTestServer,
  type TestServer,
} from './testing.js';

const logger = pino({ level: 'silent' });
let echo: TestServer;
let set: ProxySet;

beforeEach(async () => {
  echo = await startEchoServer();
  set = createProxySet(logger);
});
afterEach(async () => {
  await set.stop();
  await echo.stop();
});

const port = (listen: string): number => Number(listen.split(':').pop());
/** Resolves when the peer closed `s` (FIN or RST); reads and discards what is left. */
const closedByPeer = (s: net.Socket): Promise<void> => {
  s.on('error', () => undefined);
  s.resume();
  return s.destroyed || s.readableEnded
    ? Promise.resolve()
    : new Promise((resolve) => {
        s.once('end', () => resolve());
        s.once('close', () => resolve());
      });
};

describe('TcpProxy without toxics', () => {
  it('forwards bytes both ways, byte for byte', async () => {
    const p = await set.add({ name: 'a->echo', upstream: `127.0.0.1:${echo.port}` });
    expect(p).toEqual({
      name: 'a->echo',
      listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      upstream: `127.0.0.1:${echo.port}`,
    });
    const c = await connect(port(p.listen));
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const reply = readBytes(c, payload.length);
    c.write(payload);
    expect((await reply).equals(payload)).toBe(true);
    expect(set.stats()['a->echo']).toMatchObject({ connections: 1 });
    c.destroy();
  });

  it('passes a half-close on: the client FIN reaches the server, the reply still comes back', async () => {
    const server = await startTestServer((s) => {
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => got.push(d));
      s.on('end', () => s.end(`got ${Buffer.concat(got).length} bytes`));
    });
    try {
      const p = await set.add({ name: 'half', upstream: `127.0.0.1:${server.port}` });
      const c = await connect(port(p.listen));
      c.end('hello');
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      await new Promise((resolve) => c.once('end', resolve));
      expect(Buffer.concat(chunks).toString()).toBe('got 5 bytes');
      await closedByPeer(c);
    } finally {
      await server.stop();
    }
  });

  it('closes the client connection when the upstream refuses', async () => {
    const dead = await startTestServer(() => undefined);
    const deadPort = dead.port;
    await dead.stop();
    const p = await set.add({ name: 'to-nowhere', upstream: `127.0.0.1:${deadPort}` });
    const c = await connect(port(p.listen));
    await closedByPeer(c);
  });

  it('disable closes every connection and refuses new ones; enable listens on the same port', async () => {
    const p = await set.add({ name: 'toggle', upstream: `127.0.0.1:${echo.port}` });
    const c = await connect(port(p.listen));
    await roundTrip(c, Buffer.from('ping'));
    const off = await set.setEnabled('toggle', false);
    expect(off.enabled).toBe(false);
    await closedByPeer(c);
    await expect(connect(port(p.listen))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const on = await set.setEnabled('toggle', true);
    expect(on).toMatchObject({ enabled: true, listen: p.listen });
    const c2 = await connect(port(p.listen));
    await roundTrip(c2, Buffer.from('pong'));
    c2.destroy();
  });

  it('a toxic with toxicity 0 never applies; with toxicity 1 always', async () => {
    const p = await set.add({ name: 'dice', upstream: `127.0.0.1:${echo.port}` });
    set.addToxic('dice', { type: 'latency', toxicity: 0, attributes: { latency: 2_000 } });
    const c = await connect(port(p.listen));
    const fast = await roundTrip(c, Buffer.from('x'));
    expect(fast).toBeLessThan(1_000);
    set.updateToxic('dice', 'latency_downstream', { toxicity: 1, attributes: { latency: 300 } });
    expect(set.getToxic('dice', 'latency_downstream')).toMatchObject({
      toxicity: 1,
      attributes: { latency: 300, jitter: 0 },
    });
    expect(await roundTrip(c, Buffer.from('y'))).toBeGreaterThanOrEqual(299);
    c.destroy();
  });
});
