import type { CounterRow } from './agg-store.js';

type DimValues = Map<string, number>;
type MetricDims = Map<string, DimValues>;

/**
 * The in-memory read model of the counters: all-time totals and per-second buckets, holding the
 * absolute values last read from the database (so every instance shows the same figures whoever
 * applied the events). Windows are sums over buckets. Pure (no I/O).
 */
export class AggregateView {
  private readonly totals: MetricDims = new Map();
  private readonly series = new Map<number, MetricDims>();

  /** Sets counters to the values read from the store (absolute, not deltas). */
  set(rows: Iterable<CounterRow>): void {
    for (const r of rows) {
      let target = this.totals;
      if (r.bucket !== null) {
        target = this.series.get(r.bucket) ?? new Map();
        this.series.set(r.bucket, target);
      }
      const dims = target.get(r.metric) ?? new Map<string, number>();
      target.set(r.metric, dims);
      dims.set(r.dim, r.value);
    }
  }

  /** Forgets buckets before `bucket`. */
  dropBefore(bucket: number): void {
    for (const b of this.series.keys()) if (b < bucket) this.series.delete(b);
  }

  /** An all-time counter. */
  total(metric: string, dim = ''): number {
    return this.totals.get(metric)?.get(dim) ?? 0;
  }

  /** An all-time counter for every dimension. */
  totalsByDim(metric: string): Map<string, number> {
    return new Map(this.totals.get(metric) ?? []);
  }

  /** A counter summed over buckets `from`..`to` (inclusive). */
  sum(metric: string, from: number, to: number, dim = ''): number {
    let n = 0;
    for (let b = from; b <= to; b++) n += this.series.get(b)?.get(metric)?.get(dim) ?? 0;
    return n;
  }

  /** A counter per dimension, summed over buckets `from`..`to`. */
  sumByDim(metric: string, from: number, to: number): Map<string, number> {
    const out = new Map<string, number>();
    for (let b = from; b <= to; b++) {
      for (const [dim, v] of this.series.get(b)?.get(metric) ?? []) out.set(dim, (out.get(dim) ?? 0) + v);
    }
    return out;
  }

  /** One value per second `from`..`to` (0 where nothing happened), for charts. */
  perSecond(metric: string, from: number, to: number, dim = ''): number[] {
    const out: number[] = [];
    for (let b = from; b <= to; b++) out.push(this.series.get(b)?.get(metric)?.get(dim) ?? 0);
    return out;
  }
}
