import { build, type Histogram } from 'hdr-histogram-js';
import type { CompletionType } from './history.js';
import type { LatencySummary, RunReport, TimelineBucket } from './report.js';
import type { OpName } from './schema.js';

/** Latencies are recorded in microseconds (integers) with 3 significant digits. */
const histogram = (): Histogram => build({ numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1 });

function summarise(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

interface Bucket extends Omit<TimelineBucket, 'p50' | 'p99'> {
  latency: Histogram;
}

/**
 * Live statistics of a run, updated as operations complete: HDR latency histograms overall and
 * per operation, per-second timeline buckets, order outcomes. The TUI reads it while the run goes
 * on; the report is built from it at the end.
 */
export class RunStats {
  readonly all = histogram();
  readonly perOp = new Map<OpName, { h: Histogram; ok: number; fail: number; info: number }>();
  readonly timeline: Bucket[] = [];
  startedCount = 0;
  completedCount = 0;
  droppedCount = 0;
  readonly outcomes = { ok: 0, fail: 0, info: 0 };
  readonly orders = { attempted: 0, confirmed: 0, rejected: 0, failed: 0, ambiguous: 0, pending: 0 };
  readonly rejectReasons: Record<string, number> = {};
  /** How late operations were sent versus their intended time (ms): shows a saturated generator. */
  readonly sendLag = histogram();

  private bucket(tMs: number): Bucket {
    const i = Math.max(0, Math.floor(tMs / 1000));
    while (this.timeline.length <= i) {
      this.timeline.push({
        t: this.timeline.length,
        started: 0,
        completed: 0,
        ok: 0,
        fail: 0,
        info: 0,
        dropped: 0,
        confirmed: 0,
        latency: histogram(),
      });
    }
    return this.timeline[i]!;
  }

  started(f: OpName, tMs: number, lagMs: number): void {
    this.startedCount += 1;
    this.bucket(tMs).started += 1;
    this.sendLag.recordValue(Math.max(1, Math.round(lagMs * 1000)));
    if (f === 'place-order') this.orders.attempted += 1;
  }

  dropped(tMs: number): void {
    this.droppedCount += 1;
    this.bucket(tMs).dropped += 1;
  }

  completed(
    f: OpName,
    type: CompletionType,
    tMs: number,
    latencyMs: number,
    value: Record<string, unknown>,
  ): void {
    this.completedCount += 1;
    this.outcomes[type] += 1;
    const us = Math.max(1, Math.round(latencyMs * 1000));
    this.all.recordValue(us);
    let op = this.perOp.get(f);
    if (!op) this.perOp.set(f, (op = { h: histogram(), ok: 0, fail: 0, info: 0 }));
    op.h.recordValue(us);
    op[type] += 1;
    const b = this.bucket(tMs);
    b.completed += 1;
    b[type] += 1;
    b.latency.recordValue(us);
    if (f !== 'place-order') return;
    if (type === 'fail') this.orders.failed += 1;
    else if (type === 'info') this.orders.ambiguous += 1;
    else if (value.status === 'CONFIRMED') {
      this.orders.confirmed += 1;
      b.confirmed += 1;
    } else if (value.status === 'REJECTED') {
      this.orders.rejected += 1;
      const reason = String(value.reason ?? 'UNSPECIFIED');
      this.rejectReasons[reason] = (this.rejectReasons[reason] ?? 0) + 1;
    } else this.orders.pending += 1;
  }

  /** Latency summary of everything so far, or of one operation. */
  latency(f?: OpName): LatencySummary {
    return summarise(f ? (this.perOp.get(f)?.h ?? histogram()) : this.all);
  }

  /** Send-lag p99 in ms. */
  sendLagP99(): number {
    return this.sendLag.totalCount === 0 ? 0 : this.sendLag.getValueAtPercentile(99) / 1000;
  }

  timelineReport(): TimelineBucket[] {
    return this.timeline.map(({ latency, ...b }) => ({ ...b, ...pick(summarise(latency)) }));
  }

  operationsReport(): RunReport['operations'] {
    const out: RunReport['operations'] = {};
    for (const [f, op] of this.perOp) {
      out[f] = {
        count: op.ok + op.fail + op.info,
        ok: op.ok,
        fail: op.fail,
        info: op.info,
        latencyMs: summarise(op.h),
      };
    }
    return out;
  }
}

function pick(s: LatencySummary): { p50: number; p99: number } {
  return { p50: s.p50, p99: s.p99 };
}
