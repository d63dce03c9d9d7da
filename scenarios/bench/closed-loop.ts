import { build } from 'hdr-histogram-js';

/** What one closed-loop load run measured. */
export interface LoadResult {
  /** Calls completed in the measured window. */
  ops: number;
  /** Every call made, warm-up included (to divide resources used over the whole run by). */
  calls: number;
  errors: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The first few distinct error messages. */
  errorSamples: string[];
}

/**
 * Closed-loop load: `concurrency` workers each call `op(n, worker)` back to back (n counts up across
 * all workers) for `warmupMs` (discarded) then `durationMs` (measured). Latencies in an HDR histogram.
 */
export async function closedLoop(opts: {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** `n` counts calls across workers; `worker` is the calling worker's index. */
  op: (n: number, worker: number) => Promise<unknown>;
}): Promise<LoadResult> {
  const h = build({ numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1 });
  let n = 0;
  let ops = 0;
  let errors = 0;
  const errorSamples = new Set<string>();
  const start = performance.now();
  const measureFrom = start + opts.warmupMs;
  const end = measureFrom + opts.durationMs;
  const worker = async (_: unknown, w: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await opts.op(n++, w);
        if (t0 >= measureFrom) {
          ops++;
          h.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1_000)));
        }
      } catch (err) {
        if (t0 >= measureFrom) errors++;
        if (errorSamples.size < 5) errorSamples.add((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (Math.min(performance.now(), end) - measureFrom) / 1_000;
  const result = {
    ops,
    calls: n,
    errors,
    seconds,
    opsPerSecond: ops / seconds,
    p50Ms: h.totalCount ? h.getValueAtPercentile(50) / 1_000 : 0,
    p99Ms: h.totalCount ? h.getValueAtPercentile(99) / 1_000 : 0,
    errorSamples: [...errorSamples],
  };
  h.destroy();
  return result;
}
