import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from '../../cli/experiment.js';
import { createLogger } from '../../platform/logger.js';
import { benchReserves } from '../../services/inventory/bench/reserve-bench.js';
import { startStack, type StartedStack } from '../../stack/start.js';
import { LOCK_STRATEGIES, type StackState } from '../../stack/types.js';
import { loadScenario } from '../load.js';
import type { Scenario } from '../schema.js';
import { generatorCeiling, grpcHopCeiling, redisCeiling, zkLockCeiling } from './ceilings.js';
import { cpuPerOperation, cpuSnapshot, formatCpu, type CpuSnapshot } from './cpu.js';
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

const PLAN: Record<
  BenchOptions['mode'],
  {
    warmupMs: number;
    durationMs: number;
    generatorRates: number[];
    e2eSeconds: number;
    e2eRate: number | undefined;
    e2eUsers: number | undefined;
    sustainRates: number[];
    reserveConcurrency: number;
  }
> = {
  smoke: {
    warmupMs: 200,
    durationMs: 800,
    generatorRates: [200],
    e2eSeconds: 3,
    e2eRate: 20,
    e2eUsers: 200,
    sustainRates: [],
    reserveConcurrency: 16,
  },
  short: {
    warmupMs: 1_000,
    durationMs: 3_000,
    generatorRates: [500, 1_000, 2_000, 4_000],
    e2eSeconds: 8,
    e2eRate: undefined,
    e2eUsers: undefined,
    sustainRates: [10, 20, 40],
    reserveConcurrency: 96,
  },
  long: {
    warmupMs: 2_000,
    durationMs: 8_000,
    generatorRates: [1_000, 2_000, 4_000, 8_000, 16_000],
    e2eSeconds: 30,
    e2eRate: undefined,
    e2eUsers: undefined,
    sustainRates: [10, 15, 20, 25, 30, 40, 60, 80],
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
 * end-to-end confirmed orders per second for flash-sale and steady-mix, plus the highest
 * flash-sale rate that keeps p99 PlaceOrder within 250 ms (with the CPU per order of each part
 * of the stack). Each as a ratio to the UPDATE ceiling of the same run.
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
    const hop = await grpcHopCeiling(window);
    add(
      'grpc unary round trip to an echo process, 1 call at a time',
      hop,
      ceiling,
      `CPU ${round(hop.cpuMsPerCall.client + hop.cpuMsPerCall.server, 2)} ms per call (client ${round(hop.cpuMsPerCall.client, 2)}, server ${round(hop.cpuMsPerCall.server, 2)})`,
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
    const e2e = (name: 'flash-sale' | 'steady-mix', rate?: number) =>
      endToEnd(st, name, { seconds: p.e2eSeconds, rate, users: p.e2eUsers });
    for (const name of ['flash-sale', 'steady-mix'] as const) {
      const r = await e2e(name, p.e2eRate);
      add(`end-to-end ${name}: confirmed orders/s`, r.row, ceiling, r.notes);
    }
    if (p.sustainRates.length > 0) {
      // The issue's latency target holds "at the rate the run sustains": climb the rates until
      // p99 passes 250 ms or orders are refused, and report the last rate that held.
      let best: E2eRun | undefined;
      const tried: string[] = [];
      for (const rate of p.sustainRates) {
        const r = await e2e('flash-sale', rate);
        tried.push(`${rate}/s ${r.sustained ? 'held' : 'not held'} (p99 ${Math.round(r.row.p99Ms)} ms)`);
        if (!r.sustained) break;
        best = r;
      }
      add(
        `end-to-end flash-sale at the highest rate held with p99 ≤ ${SUSTAIN_P99_MS} ms: confirmed orders/s`,
        best?.row ?? { opsPerSecond: 0, p50Ms: 0, p99Ms: 0 },
        ceiling,
        `${best ? `${best.notes}; ` : 'no rate held; '}rates tried: ${tried.join(', ')}`,
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

/** p99 PlaceOrder latency a sustained end-to-end rate must stay within (issue #9's target). */
const SUSTAIN_P99_MS = 250;

/** One end-to-end run: its row, its notes (outcome, invariants, CPU per order), and whether it held. */
interface E2eRun {
  row: Pick<LoadResult, 'opsPerSecond' | 'p50Ms' | 'p99Ms'>;
  notes: string;
  /** p99 within SUSTAIN_P99_MS, every arrival sent and answered, no order refused, invariants hold. */
  sustained: boolean;
}

/**
 * Runs a builtin scenario for `seconds` (at `rate`, or its own) against the bench's stack, with
 * enough flash-sale stock for every arrival, and measures the CPU each part of the stack spent
 * per attempted order while the load ran.
 */
async function endToEnd(
  state: StackState,
  name: 'flash-sale' | 'steady-mix',
  o: { seconds: number; rate?: number; users?: number },
): Promise<E2eRun> {
  const loaded = loadScenario(name);
  // The flash sale's stock must not cap the measurement: enough units for every arrival.
  const base =
    name === 'flash-sale' && loaded.executor.type === 'constant-arrival-rate'
      ? {
          ...loaded,
          catalogue: {
            ...loaded.catalogue,
            stockPerSku: Math.ceil((o.rate ?? loaded.executor.rate) * o.seconds),
          },
        }
      : loaded;
  const scenario = shortened(o.users ? { ...base, users: { count: o.users } } : base, o.seconds, o.rate);
  let before: Promise<CpuSnapshot> | undefined;
  let after: Promise<CpuSnapshot> | undefined;
  const report = await runExperiment({
    state,
    scenario,
    seed: 1,
    verify: true,
    logger: createLogger({ component: 'bench', level: 'silent' }),
    quiescenceTimeoutMs: 60_000,
    // CPU is counted over the load only, not the seeding of buyers before it.
    onPhase: (phase) => {
      if (phase === 'running') before = cpuSnapshot(state);
      else if (phase === 'healing') after = cpuSnapshot(state);
    },
  });
  const place = report.operations['place-order'];
  const latency = place?.latencyMs ?? { p50: 0, p99: 0 };
  const holds = report.invariants?.ok ? 'every invariant holds' : 'INVARIANTS VIOLATED';
  const cpu =
    before && after ? formatCpu(cpuPerOperation(await before, await after, report.orders.attempted)) : '';
  const rate =
    o.rate ?? (loaded.executor.type === 'constant-arrival-rate' ? loaded.executor.rate : undefined);
  return {
    row: { opsPerSecond: report.confirmedPerSecond, p50Ms: latency.p50, p99Ms: latency.p99 },
    notes: [
      `${report.orders.confirmed} confirmed of ${report.orders.attempted}${rate ? ` at ${rate} arrivals/s` : ''}`,
      holds,
      cpu,
    ]
      .filter(Boolean)
      .join('; '),
    sustained:
      latency.p99 <= SUSTAIN_P99_MS &&
      report.iterations.dropped === 0 &&
      (place?.fail ?? 1) === 0 &&
      (place?.info ?? 1) === 0 &&
      report.invariants?.ok === true,
  };
}

/** A builtin scenario cut to `seconds` of load (at `rate`, or its own; the bench's end-to-end runs). */
function shortened(s: Scenario, seconds: number, rate?: number): Scenario {
  const e = s.executor;
  if (e.type === 'constant-arrival-rate')
    return { ...s, executor: { ...e, duration: seconds * 1000, rate: rate ?? e.rate } };
  if (e.type === 'constant-vus') return { ...s, executor: { ...e, duration: seconds * 1000 } };
  return s;
}
