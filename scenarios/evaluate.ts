import type { RunReport } from './report.js';
import type { RunStats } from './stats.js';
import { holds, parseThreshold, type Threshold } from './thresholds.js';

/** The observed value a threshold is about, from the run's live statistics. */
export function observe(t: Threshold, stats: RunStats, durationSeconds: number): number {
  const op = t.op ? stats.perOp.get(t.op) : undefined;
  const h = t.op ? op?.h : stats.all;
  switch (t.metric) {
    case 'percentile':
      return h && h.totalCount > 0 ? h.getValueAtPercentile(t.percentile ?? 99) / 1000 : 0;
    case 'max':
      return h && h.totalCount > 0 ? h.maxValue / 1000 : 0;
    case 'mean':
      return h && h.totalCount > 0 ? h.mean / 1000 : 0;
    case 'errors': {
      const c = t.op ? op : { ok: stats.outcomes.ok, fail: stats.outcomes.fail, info: stats.outcomes.info };
      const total = c ? c.ok + c.fail + c.info : 0;
      return total === 0 ? 0 : ((c?.fail ?? 0) + (c?.info ?? 0)) / total;
    }
    case 'dropped': {
      const total = stats.startedCount + stats.droppedCount;
      return total === 0 ? 0 : stats.droppedCount / total;
    }
    case 'confirmed':
      return stats.orders.confirmed;
    case 'throughput':
      return durationSeconds > 0
        ? (t.op ? (op ? op.ok + op.fail + op.info : 0) : stats.completedCount) / durationSeconds
        : 0;
  }
}

/** Evaluates every threshold expression against the run. */
export function evaluateThresholds(
  exprs: string[],
  stats: RunStats,
  durationSeconds: number,
): RunReport['thresholds'] {
  return exprs.map((expr) => {
    const t = parseThreshold(expr);
    const actual = observe(t, stats, durationSeconds);
    return { expr, ok: holds(t, actual), actual: Math.round(actual * 1e4) / 1e4 };
  });
}
