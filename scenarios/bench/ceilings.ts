import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Endpoint } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { connectZooKeeper } from '../../platform/zookeeper/session.js';
import { createZkLocks } from '../../platform/zookeeper/lock.js';
import { createClients } from '../clients.js';
import { startEchoServer } from '../echo/start.js';
import { parseScenario } from '../load.js';
import { runScenario } from '../run.js';
import { closedLoop, type LoadResult } from './closed-loop.js';
import { procCpuSeconds } from './cpu.js';

/** A Redis round trip (INCR on one key), `connections` clients in a closed loop. */
export async function redisCeiling(
  e: Endpoint,
  o: { connections: number; warmupMs: number; durationMs: number },
): Promise<LoadResult> {
  const clients = Array.from(
    { length: o.connections },
    () => new Redis({ host: e.host, port: e.port, lazyConnect: false }),
  );
  try {
    return await closedLoop({
      concurrency: o.connections,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      op: (_n, w) => clients[w]!.incr('ecom:bench:ceiling'),
    });
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/** A ZooKeeper lock cycle (acquire + release of one lock with the service's recipe), `clients` sessions contending. */
export async function zkLockCeiling(
  connect: string,
  o: { clients: number; warmupMs: number; durationMs: number },
): Promise<LoadResult> {
  const logger = createLogger({ component: 'bench', level: 'silent' });
  const sessions = await Promise.all(
    Array.from({ length: o.clients }, () => connectZooKeeper({ connect, sessionTimeoutMs: 6_000 }, logger)),
  );
  const locks = sessions.map((s) => createZkLocks(s, { root: '/ecom-bench/locks', logger }));
  try {
    return await closedLoop({
      concurrency: o.clients,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      op: async (_n, w) => {
        const held = await locks[w]!.acquire('ceiling', { timeoutMs: 10_000 });
        await held.release();
      },
    });
  } finally {
    await Promise.all(sessions.map((s) => s.stop()));
  }
}

/**
 * One gRPC hop as the services make it: a unary call through the platform client (deadline,
 * metrics) to the platform server (interceptors, metrics) in the echo process, one call at a time
 * (the per-order regime). Besides the rate, the CPU one round trip costs on both sides (the
 * client's includes the closed loop's own bookkeeping, a few µs): the yardstick for an order's
 * hops (the end-to-end rows' CPU split is the other side of it).
 */
export async function grpcHopCeiling(o: {
  warmupMs: number;
  durationMs: number;
}): Promise<LoadResult & { cpuMsPerCall: { client: number; server: number } }> {
  const echo = await startEchoServer();
  const clients = createClients(
    { orders: [echo.address], inventory: [echo.address], users: [echo.address] },
    5_000,
  );
  try {
    await clients.orders.getOrder({ orderId: 'warm-up' });
    const client0 = process.cpuUsage();
    const server0 = procCpuSeconds(echo.pid);
    const r = await closedLoop({
      concurrency: 1,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      op: (n) => clients.orders.getOrder({ orderId: `o-${n}` }),
    });
    const client = process.cpuUsage(client0);
    const server1 = procCpuSeconds(echo.pid);
    // Unreadable /proc (not Linux, or the process gone): 0, which the smoke test refuses.
    const server = server0 === undefined || server1 === undefined ? 0 : server1 - server0;
    const perCall = (ms: number) => (r.calls > 0 ? ms / r.calls : 0);
    return {
      ...r,
      cpuMsPerCall: {
        client: perCall((client.user + client.system) / 1_000),
        server: perCall(server * 1_000),
      },
    };
  } finally {
    clients.close();
    await echo.stop();
  }
}

/** One arrival rate tried against the echo server. */
export interface GeneratorStep {
  targetRate: number;
  achievedRate: number;
  dropped: number;
  sendLagP99Ms: number;
  p99Ms: number;
  sustained: boolean;
}

/**
 * The load generator's own ceiling: open-model arrival rates against a trivial gRPC echo server
 * (its own process), doubling until the generator cannot keep the schedule (drops, or sends more
 * than 50 ms late at p99, or completes < 95% of the target). The generator runs on this process's
 * one event-loop thread: one core.
 */
export async function generatorCeiling(o: {
  rates: number[];
  durationMs: number;
  log?: (l: string) => void;
}): Promise<{ highestSustained: number; steps: GeneratorStep[] }> {
  const echo = await startEchoServer();
  const dir = mkdtempSync(join(tmpdir(), 'ecom-gen-'));
  const clients = createClients(
    { orders: [echo.address], inventory: [echo.address], users: [echo.address] },
    5_000,
  );
  const population = async () => ({
    buyers: Array.from({ length: 100 }, (_, i) => ({
      userId: `u${i}`,
      email: `u${i}@x.test`,
      password: 'p',
      accessToken: 't',
    })),
    skus: Array.from({ length: 100 }, (_, i) => `s${i}`),
    currency: 'EUR',
  });
  const steps: GeneratorStep[] = [];
  try {
    for (const rate of o.rates) {
      const scenario = parseScenario(
        {
          name: 'generator-ceiling',
          catalogue: { skus: 100, stockPerSku: 1 },
          users: { count: 100 },
          mix: { 'place-order': 1, 'get-stock': 1 },
          executor: { type: 'constant-arrival-rate', rate, duration: o.durationMs, maxInFlight: 5_000 },
        },
        'generator-ceiling',
      );
      const { report } = await runScenario({ scenario, seed: rate, dir, clients, prepare: population });
      const lag = report.iterations.sendLagP99Ms;
      const achieved = report.iterations.completed / report.durationSeconds;
      const sustained =
        report.iterations.dropped === 0 && achieved >= 0.95 * rate && !report.generatorLimited;
      steps.push({
        targetRate: rate,
        achievedRate: Math.round(achieved),
        dropped: report.iterations.dropped,
        sendLagP99Ms: lag,
        p99Ms: report.latencyMs.p99,
        sustained,
      });
      o.log?.(
        `  generator at ${rate}/s: ${Math.round(achieved)}/s completed, ${report.iterations.dropped} dropped, p99 ${report.latencyMs.p99} ms${sustained ? '' : ' — not sustained'}`,
      );
      if (!sustained) break;
    }
  } finally {
    clients.close();
    await echo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = steps.filter((s) => s.sustained);
  return { highestSustained: ok.length > 0 ? ok[ok.length - 1]!.targetRate : 0, steps };
}
