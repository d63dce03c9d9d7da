import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInventoryClient, type InventoryClient } from '../client.js';
import { checkHealth } from '../../../platform/grpc/health-client.js';
import { createRandom } from '../../../scenarios/random.js';
import { skuPicker } from '../../../scenarios/popularity.js';
import { startStack, type StartedStack } from '../../../stack/start.js';
import { LOCK_STRATEGIES, type LockStrategy } from '../config.js';
import { measureUpdateCeiling } from '../../../scenarios/bench/update-ceiling.js';
import { closedLoop, type LoadResult } from '../../../scenarios/bench/closed-loop.js';
import { promValue } from '../../../scenarios/bench/cpu.js';

/** Options of {@link runReserveBench}. */
export interface ReserveBenchOptions {
  /** Inventory instances (issue #9: 3). */
  instances: number;
  strategies: readonly LockStrategy[];
  /** Batching settings to compare; false = the per-order path (batch size 1). */
  batching: readonly boolean[];
  /**
   * With batching on: measure with plain Reserve calls (false), and/or with the inventory client
   * coalescing concurrent calls into ReserveMany, as orders does (true).
   */
  coalesce: readonly boolean[];
  /** Reserve calls in flight at once (closed loop), spread round-robin over the instances. */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Size of the zipf catalogue (1,000) and its exponent. */
  zipfSkus: number;
  zipfExponent: number;
  seed: number;
  log: (line: string) => void;
}

/** One measured configuration. */
export interface ReserveBenchRow {
  name: string;
  strategy: LockStrategy;
  batching: boolean;
  /** The client coalesced concurrent Reserves into ReserveMany calls. */
  coalesced: boolean;
  workload: 'hot' | 'zipf';
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** opsPerSecond ÷ the single-connection conditional-UPDATE ceiling measured in the same run. */
  ratioToCeiling: number;
  errors: number;
  /** Mean requests per batch transaction over the run (all instances). */
  meanBatch: number;
  /**
   * CPU the inventory processes used per Reserve call (ms, all instances, warm-up included): a cost
   * that, unlike a rate, stays comparable across runs on a noisy machine. Their background work
   * (timers, sweeper, relay polling) is included, so it reads high at low rates.
   */
  cpuMsPerReserve: number;
}

export const DEFAULT_RESERVE_BENCH: ReserveBenchOptions = {
  instances: 3,
  strategies: LOCK_STRATEGIES,
  batching: [true, false],
  coalesce: [true, false],
  concurrency: 96,
  warmupMs: 2_000,
  durationMs: 8_000,
  zipfSkus: 1_000,
  zipfExponent: 1,
  seed: 1,
  log: (line) => process.stderr.write(line + '\n'),
};

/**
 * Reserve throughput of the inventory service, in one run on one stack: the raw ceiling first,
 * then every (strategy, batching) pair on one hot SKU and on a zipf catalogue. The strategy and
 * batching of the running instances are switched by rewriting their config files and restarting
 * them through the supervisor, so every figure comes from the same MariaDB, ZooKeeper and data.
 */
export async function runReserveBench(
  opts: ReserveBenchOptions = DEFAULT_RESERVE_BENCH,
): Promise<{ ceiling: LoadResult; results: ReserveBenchRow[]; seed: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-bench-'));
  let stack: StartedStack | undefined;
  try {
    stack = await startStack({
      dir,
      logLevel: 'warn',
      persistent: false,
      replicas: { users: 0, payments: 0, gateway: 0, orders: 0, analytics: 0, inventory: opts.instances },
    });
    opts.log(`ceiling: conditional UPDATE on one row, 1 connection, ${opts.durationMs} ms`);
    const ceiling = await measureUpdateCeiling({
      primary: stack.state.infra.mysqlPrimary,
      ...stack.state.mysql,
      connections: 1,
      warmupMs: opts.warmupMs,
      durationMs: opts.durationMs,
    });
    opts.log(`  ${fmt(ceiling)}`);
    const results = await benchReserves(stack, opts, ceiling.opsPerSecond);
    return { ceiling, results, seed: opts.seed };
  } finally {
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The (strategy × batching × workload) matrix on an already running stack's inventory instances
 * (restored to the stack's own strategy with batching on afterwards); ratios against `ceiling`.
 */
export async function benchReserves(
  stack: StartedStack,
  opts: Omit<ReserveBenchOptions, 'instances'>,
  ceiling: number,
): Promise<ReserveBenchRow[]> {
  const st = stack.state;
  const names = st.components.filter((c) => c.service === 'inventory').map((c) => c.name);
  const addresses = st.components.filter((c) => c.service === 'inventory').map((c) => c.endpoint);
  // A fresh client per configuration: restarted instances refuse connections for a moment, and an
  // old channel would sit in reconnect backoff through the measurement.
  const newClient = (coalesce = false): InventoryClient =>
    createInventoryClient({
      name: 'inventory',
      addresses,
      defaultDeadlineMs: 30_000,
      coalesceReserves: coalesce ? COALESCE_MAX : 1,
    });
  const zipf = Array.from({ length: opts.zipfSkus }, (_, i) => `z-${String(i + 1).padStart(5, '0')}`);
  const seeder = newClient();
  await seed(seeder, ['hot', ...zipf], opts.log).finally(() => seeder.close());
  const results: ReserveBenchRow[] = [];
  for (const strategy of opts.strategies) {
    for (const batching of opts.batching) {
      await reconfigure(stack, st.dir, names, { lockStrategy: strategy, batching: { enabled: batching } });
      await Promise.all(addresses.map((a) => waitServing(a)));
      for (const coalesced of batching ? opts.coalesce : [false]) {
        const client = newClient(coalesced);
        try {
          for (const workload of ['hot', 'zipf'] as const) {
            const mode = batching ? (coalesced ? 'c' : 'b') : 'n';
            const tag = `${strategy.replace('+', '_')}-${mode}-${workload}-${Date.now()}`;
            const rand = createRandom(opts.seed);
            const pick = skuPicker({ kind: 'zipf', exponent: opts.zipfExponent }, zipf.length, rand);
            const before = await instanceTotals(stack);
            const r = await closedLoop({
              concurrency: opts.concurrency,
              warmupMs: opts.warmupMs,
              durationMs: opts.durationMs,
              op: (n) =>
                client.reserve({
                  orderId: `${tag}-${n}`,
                  lines: [{ sku: workload === 'hot' ? 'hot' : zipf[pick()]!, quantity: 1 }],
                  ttlSeconds: 0,
                }),
            });
            const after = await instanceTotals(stack);
            const row: ReserveBenchRow = {
              name: `inventory reserve ${workload} ${strategy} batching=${batching ? 'on' : 'off'}${coalesced ? ' coalesced' : ''}`,
              strategy,
              batching,
              coalesced,
              workload,
              opsPerSecond: round(r.opsPerSecond),
              p50Ms: round(r.p50Ms),
              p99Ms: round(r.p99Ms),
              ratioToCeiling: round(r.opsPerSecond / ceiling, 2),
              errors: r.errors,
              meanBatch: round((after.sum - before.sum) / Math.max(1, after.count - before.count), 1),
              cpuMsPerReserve: round(
                ((after.cpuSeconds - before.cpuSeconds) * 1_000) / Math.max(1, r.calls),
                2,
              ),
            };
            results.push(row);
            opts.log(
              `  ${row.name}: ${fmt(r)} ratio ${row.ratioToCeiling} meanBatch ${row.meanBatch} cpu ${row.cpuMsPerReserve} ms/reserve`,
            );
            if (r.errors > 0) opts.log(`    errors: ${r.errorSamples.join(' | ')}`);
          }
        } finally {
          client.close();
        }
      }
    }
  }
  await reconfigure(stack, st.dir, names, {
    lockStrategy: st.options.lockStrategy,
    batching: { enabled: true },
  });
  return results;
}

/** Waits until one instance answers SERVING (after a restart). */
async function waitServing(address: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await checkHealth(address, '', 500)) === 'SERVING') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${address} did not answer SERVING after a restart`);
}

async function seed(client: InventoryClient, skus: string[], log: (l: string) => void): Promise<void> {
  const t0 = Date.now();
  await client.upsertWarehouses({ warehouses: [{ warehouseId: 'wh-01', name: 'bench' }] });
  for (let i = 0; i < skus.length; i += 1_000) {
    await client.upsertSkus({
      skus: skus
        .slice(i, i + 1_000)
        .map((sku) => ({ sku, name: sku, unitPrice: { amountMinor: 100, currency: 'EUR' } })),
    });
  }
  let next = 0;
  const worker = async () => {
    while (next < skus.length) {
      const sku = skus[next++]!;
      await client.restock({
        sku,
        warehouseId: 'wh-01',
        quantity: 1_000_000,
        idempotencyKey: `bench:${sku}`,
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  log(`seeded ${skus.length} SKUs in ${Date.now() - t0} ms`);
}

/** Rewrites the instances' inventory section and restarts them (same ports, same data). */
async function reconfigure(
  stack: StartedStack,
  dir: string,
  names: string[],
  section: Record<string, unknown>,
): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, 'config', `${name}.json`);
      const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { inventory?: Record<string, unknown> };
      config.inventory = { ...config.inventory, ...section };
      fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
      await stack.control.stop(name);
      await stack.control.start(name);
    }),
  );
}

/** Batch-size totals and process CPU seconds, summed over the inventory instances' /metrics. */
async function instanceTotals(
  stack: StartedStack,
): Promise<{ sum: number; count: number; cpuSeconds: number }> {
  const totals = { sum: 0, count: 0, cpuSeconds: 0 };
  const value = (text: string, name: string) => promValue(text, name) ?? 0;
  for (const c of (await stack.control.state()).components.filter((x) => x.service === 'inventory')) {
    const text = await (await fetch(c.metrics!)).text();
    totals.sum += value(text, 'ecom_inventory_batch_size_sum');
    totals.count += value(text, 'ecom_inventory_batch_size_count');
    totals.cpuSeconds += value(text, 'process_cpu_seconds_total');
  }
  return totals;
}

/** Most Reserves the bench's client sends in one ReserveMany: orders' default (orders.coalesceReserves). */
const COALESCE_MAX = 64;

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const fmt = (r: LoadResult) =>
  `${round(r.opsPerSecond)} ops/s p50 ${round(r.p50Ms, 2)} ms p99 ${round(r.p99Ms, 2)} ms (${r.ops} ops, ${r.errors} errors)`;

/** Markdown table of a bench run. */
export function benchTable(ceiling: LoadResult, rows: ReserveBenchRow[]): string {
  const lines = [
    `Raw ceiling (conditional UPDATE, one row, 1 connection): ${round(ceiling.opsPerSecond)} ops/s, ` +
      `p50 ${round(ceiling.p50Ms, 2)} ms, p99 ${round(ceiling.p99Ms, 2)} ms`,
    '',
    '| workload | strategy | batching | client | reserves/s | p50 ms | p99 ms | × ceiling | mean batch | inventory CPU ms/reserve | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.workload} | ${r.strategy} | ${r.batching ? 'on' : 'off'} | ${r.coalesced ? 'coalesced' : 'plain'} | ${r.opsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.ratioToCeiling} | ${r.meanBatch} | ${r.cpuMsPerReserve} | ${r.errors} |`,
    ),
  ];
  return lines.join('\n');
}

// `node dist/services/inventory/bench/reserve-bench.js [--duration MS] [--concurrency N] [--json FILE]
//  [--strategies zk+db,db] [--batching on,off] [--coalesce on,off]`
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const opts: ReserveBenchOptions = {
    ...DEFAULT_RESERVE_BENCH,
    durationMs: Number(arg('duration') ?? DEFAULT_RESERVE_BENCH.durationMs),
    concurrency: Number(arg('concurrency') ?? DEFAULT_RESERVE_BENCH.concurrency),
    strategies:
      (arg('strategies')?.split(',') as LockStrategy[] | undefined) ?? DEFAULT_RESERVE_BENCH.strategies,
    batching:
      arg('batching')
        ?.split(',')
        .map((b) => b === 'on') ?? DEFAULT_RESERVE_BENCH.batching,
    coalesce:
      arg('coalesce')
        ?.split(',')
        .map((b) => b === 'on') ?? DEFAULT_RESERVE_BENCH.coalesce,
  };
  const { ceiling, results, seed } = await runReserveBench(opts);
  process.stdout.write(benchTable(ceiling, results) + '\n');
  const json = arg('json');
  if (json) fs.writeFileSync(json, JSON.stringify({ seed, ceiling, results }, null, 2) + '\n');
}
