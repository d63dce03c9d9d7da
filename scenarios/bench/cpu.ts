import { parsePromText } from '../../services/analytics/prom-text.js';
import { procStatFields } from '../../stack/state.js';
import type { StackState } from '../../stack/types.js';

/** CPU seconds used so far, by stack part: a service (all its instances), mysql-primary, zookeeper, … */
export type CpuSnapshot = Map<string, number>;

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a host process in seconds, or undefined when it is gone or not visible. */
export function procCpuSeconds(pid: number): number | undefined {
  const fields = procStatFields(pid);
  if (!fields) return undefined;
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : undefined;
}

/**
 * The value of the sample `name` (its first series, any labels) in Prometheus text, parsed by
 * analytics' parser; undefined when absent or when the text does not parse.
 */
export function promValue(text: string, name: string): number | undefined {
  try {
    return parsePromText(text).find((s) => s.name === name)?.value;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of every part of the stack whose CPU can be read: service instances from their
 * /metrics (process_cpu_seconds_total: every thread, any runtime), infrastructure and the
 * supervisor (which runs the fault proxy) from /proc when they are host processes. Parts that
 * cannot be read (containers' infrastructure, an instance that does not answer) are left out.
 */
export async function cpuSnapshot(state: StackState): Promise<CpuSnapshot> {
  const out: CpuSnapshot = new Map();
  const add = (part: string, seconds: number | undefined) => {
    if (seconds !== undefined) out.set(part, (out.get(part) ?? 0) + seconds);
  };
  await Promise.all(
    state.components.map(async (c) => {
      if (c.kind === 'service' && c.metrics) {
        const text = await fetch(c.metrics, { signal: AbortSignal.timeout(2_000) })
          .then((r) => r.text())
          .catch(() => '');
        add(c.service ?? c.name, promValue(text, 'process_cpu_seconds_total'));
      } else if (c.pid !== undefined) add(c.name, procCpuSeconds(c.pid));
    }),
  );
  add('supervisor', procCpuSeconds(state.supervisor.pid));
  return out;
}

/** CPU milliseconds per operation between two snapshots, by part (largest first), and their total. */
export function cpuPerOperation(
  before: CpuSnapshot,
  after: CpuSnapshot,
  operations: number,
): { parts: [string, number][]; totalMs: number } {
  const parts: [string, number][] = [];
  let totalMs = 0;
  if (operations <= 0) return { parts, totalMs };
  for (const [part, end] of after) {
    const start = before.get(part);
    if (start === undefined) continue;
    const ms = (Math.max(0, end - start) * 1000) / operations;
    parts.push([part, ms]);
    totalMs += ms;
  }
  parts.sort((a, b) => b[1] - a[1]);
  return { parts, totalMs };
}

/** "CPU 59 ms per order attempted (orders 13.2, mysql-primary 10.1, …)": all the run's CPU, whatever the operation, over its orders. */
export function formatCpu(c: { parts: [string, number][]; totalMs: number }): string {
  const r = (x: number) => Math.round(x * 10) / 10;
  return `CPU ${r(c.totalMs)} ms per order attempted (${c.parts.map(([p, ms]) => `${p} ${r(ms)}`).join(', ')})`;
}
