import type net from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProxySet, type ProxySet } from './registry.js';
import { connect, readBytes, roundTrip, startEchoServer, type TestServer } from './testing.js';

const logger = pino({ level: 'silent' });
let echo: TestServer;
let set: ProxySet;
let client: net.Socket;

/** A connection through a fresh proxy "p" to the echo server. */
beforeEach(async () => {
  echo = await startEchoServer();
  set = createProxySet(logger);
  const { listen } = await set.add({ name: 'p', upstream: `127.0.0.1:${echo.port}` });
  client = await connect(Number(listen.split(':').pop()));
  client.on('error', () => undefined);
});
afterEach(async () => {
  client.destroy();
  await set.stop();
  await echo.stop();
});

const pattern = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31) % 256));

/** Everything the client receives until the connection ends or fails. */
const drain = (s: net.Socket): Promise<{ data: Buffer; chunks: number; error?: NodeJS.ErrnoException }> =>
  new Promise((resolve) => {
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    const done = (error?: NodeJS.ErrnoException) =>
      resolve({ data: Buffer.concat(got), chunks: got.length, error });
    s.once('end', () => done());
    s.once('error', (e) => done(e));
    s.resume();
  });

describe('toxics on live connections', () => {
  it('latency adds at least the configured delay per round trip, and removing it restores speed', async () => {
    const before = await roundTrip(client, Buffer.from('a'));
    set.addToxic('p', { type: 'latency', stream: 'upstream', attributes: { latency: 200 } });
    const slow = await roundTrip(client, Buffer.from('b'));
    set.removeToxic('p', 'latency_upstream');
    const after = await roundTrip(client, Buffer.from('c'));
    console.log(
      `latency toxic: rtt before ${before.toFixed(2)} ms, with 200 ms ${slow.toFixed(1)} ms, after ${after.toFixed(2)} ms`,
    );
    expect(slow).toBeGreaterThanOrEqual(199);
    // A round trip through the 200 ms toxic cannot take less; the margin absorbs a loaded machine.
    expect(after).toBeLessThan(150);
  });

  it('removing latency releases data it holds at once, losing none', async () => {
    set.addToxic('p', { type: 'latency', attributes: { latency: 60_000 } });
    const reply = readBytes(client, 5_000, 10_000);
    client.write(pattern(5_000));
    await new Promise((r) => setTimeout(r, 100));
    set.removeToxic('p', 'latency_downstream');
    expect((await reply).equals(pattern(5_000))).toBe(true);
  });

  it('timeout black-holes data (discarded, like Toxiproxy) until removed', async () => {
    set.addToxic('p', { type: 'timeout', attributes: { timeout: 0 } });
    await expect(roundTrip(client, Buffer.from('x'), 300)).rejects.toThrow(/timed out after 0 of 1 bytes/);
    set.removeToxic('p', 'timeout_downstream');
    expect((await readBytes((client.write('y'), client), 1)).toString()).toBe('y');
  });

  it('timeout > 0 closes the connection after that many ms', async () => {
    set.addToxic('p', { type: 'timeout', stream: 'upstream', attributes: { timeout: 150 } });
    client.write('never answered');
    const { data, error } = await drain(client);
    expect(data.length).toBe(0);
    expect(error).toBeUndefined();
  });

  it('reset_peer resets the connection: the client sees ECONNRESET', async () => {
    await roundTrip(client, Buffer.from('fine'));
    set.addToxic('p', { type: 'reset_peer', attributes: { timeout: 100 } });
    const { error } = await drain(client);
    expect(error?.code).toBe('ECONNRESET');
  });

  it('bandwidth limits throughput to the rate, clearly slower than without it, and is undone', async () => {
    const size = 250_000;
    const payload = pattern(size);
    const timed = async () => {
      const t0 = performance.now();
      const reply = readBytes(client, size, 20_000);
      client.write(payload);
      const got = await reply;
      const ms = performance.now() - t0;
      expect(got.equals(payload)).toBe(true);
      return ms;
    };
    const free = await timed();
    set.addToxic('p', { type: 'bandwidth', attributes: { rate: 500 } });
    const limited = await timed();
    set.removeToxic('p', 'bandwidth_downstream');
    const freeAgain = await timed();
    console.log(
      `bandwidth 500 KB/s: 250 kB in ${free.toFixed(1)} ms free, ${limited.toFixed(0)} ms limited, ${freeAgain.toFixed(1)} ms after`,
    );
    // What 500 KB/s makes 250 kB take at least (ms); loopback without the toxic stays well under it
    // even on a loaded machine, where a ratio of two timings would not be dependable.
    const floor = 0.9 * (size / 500);
    expect(limited).toBeGreaterThanOrEqual(floor);
    expect(free).toBeLessThan(floor);
    expect(freeAgain).toBeLessThan(floor);
  });

  it('slicer delivers every byte, in more and smaller chunks', async () => {
    const size = 20_000;
    const chunksOf = async () => {
      let chunks = 0;
      const count = (d: Buffer) => void (chunks += d.length > 0 ? 1 : 0);
      client.on('data', count);
      const reply = readBytes(client, size);
      client.write(pattern(size));
      expect((await reply).equals(pattern(size))).toBe(true);
      client.off('data', count);
      return chunks;
    };
    const plain = await chunksOf();
    set.addToxic('p', {
      type: 'slicer',
      attributes: { average_size: 500, size_variation: 100, delay: 2_000 },
    });
    const sliced = await chunksOf();
    console.log(`slicer: ${plain} chunks without, ${sliced} with`);
    expect(sliced).toBeGreaterThan(plain);
    expect(sliced).toBeGreaterThanOrEqual(size / 600 / 2);
  });

  it('limit_data closes the connection after exactly `bytes` bytes', async () => {
    set.addToxic('p', { type: 'limit_data', attributes: { bytes: 1_000 } });
    const all = drain(client);
    client.write(pattern(5_000));
    const { data, error } = await all;
    expect(error).toBeUndefined();
    expect(data.equals(pattern(5_000).subarray(0, 1_000))).toBe(true);
  });
});
