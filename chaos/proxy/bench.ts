/**
 * Measures what the fault proxy costs when no toxic is set, against the direct path in the same
 * run: round-trip latency (p50/p99, 1 and 64 concurrent connections, 64-byte echo), bulk
 * throughput, RSS of a process holding 50 idle proxies, and that process's RSS while 50 MB flow
 * through it to a slow reader (sampled after a forced GC: live memory). Three processes, as in a stack: clients (this one), the servers
 * (echo + bulk source) and the proxies.
 *
 *   npm run build && node dist/chaos/proxy/bench.js [--json]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createProxySet } from './registry.js';
import { connect, startEchoServer, startTestServer } from './testing.js';

const MB = 1 << 20;
const BULK = 200 * MB;
const SLOW = 50 * MB;
const rssMB = () => process.memoryUsage().rss / MB;

type Msg = Record<string, number | string>;
const ask = async (child: ChildProcess, msg: Msg): Promise<Msg> => {
  child.send(msg);
  const [reply] = (await once(child, 'message')) as [Msg];
  return reply;
};

/** Child: the upstream servers. Bulk connections receive `bytes` (first 8 bytes of the request, as text). */
async function servers(): Promise<void> {
  const echo = await startEchoServer();
  const source = await startTestServer((socket) => {
    socket.once('data', (d: Buffer) => {
      let left = Number(d.toString().trim());
      const chunk = Buffer.alloc(256 * 1024, 1);
      const pump = () => {
        while (left > 0) {
          const piece = chunk.subarray(0, Math.min(left, chunk.length));
          left -= piece.length;
          if (!socket.write(piece)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
  });
  process.send?.({ echo: echo.port, source: source.port });
}

/** Child: 50 proxies (2 used, 48 idle) in one proxy set, reporting RSS on request. */
async function proxies(echoPort: number, sourcePort: number): Promise<void> {
  const set = createProxySet(pino({ level: 'silent' }));
  const empty = rssMB();
  const echo = await set.add({ name: 'bench->echo', upstream: `127.0.0.1:${echoPort}` });
  const source = await set.add({ name: 'bench->source', upstream: `127.0.0.1:${sourcePort}` });
  for (let i = 0; i < 48; i++) await set.add({ name: `idle-${i}->echo`, upstream: `127.0.0.1:${echoPort}` });
  const port = (l: string) => Number(l.split(':').pop());
  process.on('message', () => {
    // With --expose-gc: collect first, so arrayBuffers/RSS show what is live, not garbage not yet collected.
    (globalThis as { gc?: () => void }).gc?.();
    const buffered = Object.values(set.stats()).reduce((sum, st) => sum + st.bufferedBytes, 0);
    process.send?.({
      rss: rssMB(),
      arrayBuffers: process.memoryUsage().arrayBuffers / MB,
      buffered: buffered / MB,
    });
  });
  process.send?.({ echo: port(echo.listen), source: port(source.listen), rssEmpty: empty, rss50: rssMB() });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** `conns` connections each doing `trips` sequential 64-byte round trips; latencies in µs. */
async function latency(
  port: number,
  conns: number,
  trips: number,
): Promise<{ p50: number; p99: number; tripsPerSecond: number }> {
  const sockets = await Promise.all(Array.from({ length: conns }, () => connect(port)));
  const payload = Buffer.alloc(64, 7);
  const samples: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    sockets.map(async (s) => {
      // A lean reader (no timer per trip), so the client's own cost stays small and equal on both paths.
      let pending = 0;
      let wake: () => void = () => undefined;
      s.on('data', (d: Buffer) => {
        pending -= d.length;
        if (pending <= 0) wake();
      });
      for (let i = 0; i < trips; i++) {
        const start = process.hrtime.bigint();
        pending = payload.length;
        const reply = new Promise<void>((resolve) => (wake = resolve));
        s.write(payload);
        await reply;
        samples.push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const s of sockets) s.destroy();
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 0.5), p99: pct(samples, 0.99), tripsPerSecond: samples.length / seconds };
}

/** Receives `bytes` from the bulk source; returns MB/s. `pauseMs` > 0 makes a slow reader. */
async function bulk(port: number, bytes: number, pauseMs = 0): Promise<number> {
  const s: net.Socket = await connect(port);
  const t0 = performance.now();
  s.write(String(bytes).padEnd(16));
  let got = 0;
  s.on('data', (d: Buffer) => {
    got += d.length;
    if (pauseMs > 0) {
      s.pause();
      setTimeout(() => s.resume(), pauseMs);
    }
  });
  await once(s, 'end');
  s.destroy();
  if (got !== bytes) throw new Error(`bulk: got ${got} of ${bytes} bytes`);
  return bytes / MB / ((performance.now() - t0) / 1000);
}

async function main(json: boolean): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const srv = fork(self, ['servers']);
  const [up] = (await once(srv, 'message')) as [Msg];
  const px = fork(self, ['proxies', String(up.echo), String(up.source)], { execArgv: ['--expose-gc'] });
  const [pp] = (await once(px, 'message')) as [Msg];
  const results: Record<string, unknown> = { rssMB: { emptySet: pp.rssEmpty, fiftyIdleProxies: pp.rss50 } };
  try {
    await latency(Number(up.echo), 8, 200); // warm-up both paths
    await latency(Number(pp.echo), 8, 200);
    for (const [conns, trips] of [
      [1, 3_000],
      [64, 150],
    ] as const) {
      const direct = await latency(Number(up.echo), conns, trips);
      const proxied = await latency(Number(pp.echo), conns, trips);
      results[`rtt_${conns}conn_us`] = {
        direct,
        proxied,
        addedP50: proxied.p50 - direct.p50,
        addedP99: proxied.p99 - direct.p99,
      };
    }
    const before = await ask(px, {});
    const peak = { rss: 0, arrayBuffers: 0, buffered: 0 };
    const sampler = setInterval(
      () =>
        void ask(px, {}).then((m) => {
          for (const k of Object.keys(peak) as (keyof typeof peak)[])
            peak[k] = Math.max(peak[k], Number(m[k]));
        }),
      100,
    );
    const slowMBps = await bulk(Number(pp.source), SLOW, 1);
    clearInterval(sampler);
    results.slowReader50MB = {
      MBps: slowMBps,
      proxyBeforeMB: { rss: before.rss, arrayBuffers: before.arrayBuffers },
      proxyPeakMB: peak,
    };
    const direct = await bulk(Number(up.source), BULK);
    const proxied = await bulk(Number(pp.source), BULK);
    results.bulkMBps = { direct, proxied, ratio: proxied / direct };
  } finally {
    srv.kill();
    px.kill();
  }
  if (json) console.log(JSON.stringify(results, null, 2));
  else
    for (const [k, v] of Object.entries(results))
      console.log(
        k,
        JSON.stringify(v, (_k, x) => (typeof x === 'number' ? Math.round(x * 100) / 100 : x)),
      );
}

const [role, a, b] = process.argv.slice(2);
if (role === 'servers') void servers();
else if (role === 'proxies') void proxies(Number(a), Number(b));
else void main(process.argv.includes('--json'));
