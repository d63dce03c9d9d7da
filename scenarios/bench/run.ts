import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from '../../cli/experiment.js';
import { createLogger } from '../../platform/logger.js';
import { benchReserves } from '../../services/inventory/bench/reserve-bench.js';
import { startStack, type StartedStack } from '../../stack/start.js';
import { LOCK_STRATEGIES } from '../../stack/types.js';
import { loadScenario } from '../load.js';
import type { Scenario } from '../schema.js';
import { generatorCeiling, redisCeiling, zkLockCeiling } from './ceilings.js';
import type { LoadResult } from './closed-loop.js';
import { measureUpdateCeiling } from './update-ceiling.js';

/** One line of `ecom bench --json`. */
export interface BenchResult {
  name: string;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** opsPerSecond ÷ the raw ceiling (conditional UPDATE on one row, 1 connection) of the same run. */
  ratioToCeiling: number;
  notes?: string;
}

export interface BenchOptions {
  /** smoke: the whole path in seconds (tests); short: a few seconds per figure (CI); long: the README's figures. */
  mode: 'smoke' | 'short' | 'long';
  log(line: string): void;
}

const PLAN = {
  smoke: {
    warmupMs: 200,
    durationMs: 800,
    generatorRates: [200],
    e2eSeconds: 3,
    e2eRate: 20,
    e2eUsers: 200,
    reserveConcurrency: 16,
  },
  short: {
    warmupMs: 1_000,
    durationMs: 3_000,
    generatorRates: [500, 1_000, 2_000, 4_000],
    e2eSeconds: 8,
    e2eRate: undefined,
    e2eUsers: undefined,
    reserveConcurrency: 96,
  },
  long: {
    warmupMs: 2_000,
    durationMs: 8_000,
    generatorRates: [1_000, 2_000, 4_000, 8_000, 16_000],
    e2eSeconds: 30,
    e2eRate: undefined,
    e2eUsers: undefined,
    reserveConcurrency: 192,
  },
};

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * `ecom bench`: every figure in one run on one dedicated stack (3 inventory, 2 orders, 2 payments
 * instances; direct links, so the fault proxy's hop is not measured): the raw ceilings (MySQL
 * single-row UPDATE on 1 and 16 connections, a Redis round trip, a ZooKeeper lock cycle, the load
 * generator against an echo server), inventory Reserve on one hot SKU and on a 1,000-SKU zipf
 * catalogue for every lock strategy with batching on (plain and coalescing client) and off, and
 * end-to-end confirmed orders per second for flash-sale and steady-mix. Each as a ratio to the
 * UPDATE ceiling of the same run.
 */
export async function runBench(o: BenchOptions): Promise<{ results: BenchResult[]; ceiling: number }> {
  const p = PLAN[o.mode];
  const dir = mkdtempSync(join(tmpdir(), 'ecom-bench-'));
  let stack: StartedStack | undefined;
  const results: BenchResult[] = [];
  const add = (
    name: string,
    r: Pick<LoadResult, 'opsPerSecond' | 'p50Ms' | 'p99Ms'>,
    ceiling: number,
    notes?: string,
  ) => {
    const row = {
      name,
      opsPerSecond: round(r.opsPerSecond),
      p50Ms: round(r.p50Ms, 2),
      p99Ms: round(r.p99Ms, 2),
      ratioToCeiling: round(r.opsPerSecond / ceiling, 2),
      ...(notes ? { notes } : {}),
    };
    results.push(row);
    o.log(
      `  ${name}: ${row.opsPerSecond}/s p50 ${row.p50Ms} ms p99 ${row.p99Ms} ms ×${row.ratioToCeiling}${notes ? ` (${notes})` : ''}`,
    );
  };
  try {
    o.log('starting a dedicated stack (3 inventory, 2 orders, 2 payments; direct links)');
    stack = await startStack({
      dir,
      logLevel: 'warn',
      persistent: false,
      links: 'direct',
      replicas: { inventory: 3, orders: 2, payments: 2, users: 1, gateway: 1, analytics: 0 },
      // The bench drives thousands of orders from one address and few users: lift the per-address limit.
      serviceOverrides: { orders: { orders: { rateLimit: { perAddress: null } } } },
    });
    const st = stack.state;
    const window = { warmupMs: p.warmupMs, durationMs: p.durationMs };

    o.log('raw ceilings');
    const one = await measureUpdateCeiling({
      primary: st.infra.mysqlPrimary,
      ...st.mysql,
      connections: 1,
      ...window,
    });
    const ceiling = one.opsPerSecond;
    add('mysql conditional UPDATE, one hot row, 1 connection', one, ceiling);
    add(
      'mysql conditional UPDATE, one hot row, 16 connections',
      await measureUpdateCeiling({ primary: st.infra.mysqlPrimary, ...st.mysql, connections: 16, ...window }),
      ceiling,
    );
    add(
      'redis INCR round trip, 8 connections',
      await redisCeiling(st.infra.redis, { connections: 8, ...window }),
      ceiling,
    );
    add(
      'zookeeper lock acquire+release, 8 clients on one lock',
      await zkLockCeiling(`${st.infra.zookeeper.host}:${st.infra.zookeeper.port}`, { clients: 8, ...window }),
      ceiling,
    );
    const gen = await generatorCeiling({ rates: p.generatorRates, durationMs: p.durationMs, log: o.log });
    const best = gen.steps.filter((s) => s.sustained).at(-1);
    add(
      'load generator vs gRPC echo server, highest sustained arrival rate (one core)',
      { opsPerSecond: gen.highestSustained, p50Ms: 0, p99Ms: best?.p99Ms ?? 0 },
      ceiling,
      gen.highestSustained === p.generatorRates.at(-1)
        ? 'not saturated at the highest rate tried'
        : undefined,
    );

    // End to end first: the inventory matrix below runs the deliberately unsafe `none` strategy,
    // whose oversells would (rightly) fail every invariant check judged after it.
    o.log('end to end (orders → inventory, payments → gateway)');
    for (const name of ['flash-sale', 'steady-mix'] as const) {
      const loaded = loadScenario(name);
      // The flash sale's stock must not cap the measurement: enough units for every arrival.
      const base =
        name === 'flash-sale' && loaded.executor.type === 'constant-arrival-rate'
          ? {
              ...loaded,
              catalogue: {
                ...loaded.catalogue,
                stockPerSku: Math.ceil((p.e2eRate ?? loaded.executor.rate) * p.e2eSeconds),
              },
            }
          : loaded;
      const scenario = shortened(
        p.e2eUsers ? { ...base, users: { count: p.e2eUsers } } : base,
        p.e2eSeconds,
        p.e2eRate,
      );
      const report = await runExperiment({
        state: st,
        scenario,
        seed: 1,
        verify: true,
        logger: createLogger({ component: 'bench', level: 'silent' }),
        quiescenceTimeoutMs: 60_000,
      });
      const place = report.operations['place-order']?.latencyMs ?? { p50: 0, p99: 0 };
      const holds = report.invariants?.ok ? 'every invariant holds' : `INVARIANTS VIOLATED`;
      add(
        `end-to-end ${name}: confirmed orders/s`,
        { opsPerSecond: report.confirmedPerSecond, p50Ms: place.p50, p99Ms: place.p99 },
        ceiling,
        `${report.orders.confirmed} confirmed of ${report.orders.attempted}; ${holds}`,
      );
    }
    o.log('inventory Reserve (3 instances)');
    const strategies =
      o.mode === 'long'
        ? LOCK_STRATEGIES
        : o.mode === 'short'
          ? (['zk+db', 'db'] as const)
          : (['zk+db'] as const);
    const rows = await benchReserves(
      stack,
      {
        strategies,
        batching: o.mode === 'smoke' ? [true] : [true, false],
        coalesce: [true, false],
        concurrency: p.reserveConcurrency,
        warmupMs: p.warmupMs,
        durationMs: p.durationMs,
        zipfSkus: 1_000,
        zipfExponent: 1,
        seed: 1,
        log: o.log,
      },
      ceiling,
    );
    for (const r of rows)
      add(
        r.name,
        r,
        ceiling,
        `mean batch ${r.meanBatch}, inventory CPU ${r.cpuMsPerReserve} ms/reserve${r.errors ? `, ${r.errors} errors` : ''}`,
      );

    return { results, ceiling: round(ceiling) };
  } finally {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A builtin scenario cut to `seconds` of load (at `rate`, or its own; the bench's end-to-end runs). */
function shortened(s: Scenario, seconds: number, rate?: number): Scenario {
  const e = s.executor;
  if (e.type === 'constant-arrival-rate')
    return { ...s, executor: { ...e, duration: seconds * 1000, rate: rate ?? e.rate } };
  if (e.type === 'constant-vus') return { ...s, executor: { ...e, duration: seconds * 1000 } };
  return s;
}
