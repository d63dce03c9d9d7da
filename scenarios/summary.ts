import type { RunReport } from './report.js';

const dots = (label: string) => `  ${label} `.padEnd(30, '.') + ': ';
const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(2)}ms`);
const rate = (v: number) => `${v.toFixed(1)}/s`;

/** The end-of-run summary in the spirit of k6's, as plain text (for terminals and CI logs). */
export function formatSummary(r: RunReport): string {
  const o = r.orders;
  const reasons = Object.entries(o.rejectReasons)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `  scenario: ${r.scenario}   run ${r.runId}   seed ${r.seed}   (replay: --seed ${r.seed})`,
    `  executor: ${r.executor.type}${r.executor.targetRate ? ` ${r.executor.targetRate}/s` : ''}${r.executor.vus ? ` ${r.executor.vus} VUs` : ''} for ${r.durationSeconds.toFixed(1)} s`,
    '',
    dots('orders') +
      `attempted ${o.attempted}  confirmed ${o.confirmed}  rejected ${o.rejected}${reasons ? ` (${reasons})` : ''}  failed ${o.failed}  ambiguous ${o.ambiguous}  pending ${o.pending}`,
    dots('iterations') +
      `${r.iterations.started} started, ${r.iterations.completed} completed, ${r.iterations.dropped} dropped`,
    dots('throughput') + `${rate(r.throughputPerSecond)} completed, ${rate(r.confirmedPerSecond)} confirmed`,
    dots('latency (all operations)') + latency(r.latencyMs),
    ...Object.entries(r.operations).map(
      ([name, op]) =>
        dots(name) + `${op.count} (ok ${op.ok}, fail ${op.fail}, info ${op.info})  ${latency(op.latencyMs)}`,
    ),
  ];
  if (r.faults.length > 0) {
    lines.push('', '  faults:');
    for (const f of r.faults)
      lines.push(`    ${f.spec}  (${f.fromSeconds.toFixed(1)}s → ${f.toSeconds.toFixed(1)}s)`);
  }
  if (r.thresholds.length > 0) {
    lines.push('', '  thresholds:');
    for (const t of r.thresholds)
      lines.push(`    ${t.ok ? '✓' : '✗'} ${t.expr}  (actual ${t.actual ?? '?'})`);
  }
  if (r.invariants) {
    const settled =
      r.settledInSeconds === undefined
        ? ''
        : ` (judged ${r.settledInSeconds} s after the load, once nothing was in flight)`;
    lines.push('', `  invariants: ${r.invariants.ok ? 'all hold' : 'VIOLATED'}${settled}`);
    for (const c of r.invariants.invariants) {
      lines.push(
        `    ${c.ok === true ? '✓' : c.ok === 'unknown' ? '?' : '✗'} ${c.name}  (checked ${c.checked}, violations ${c.violations.length})`,
      );
    }
  }
  if (r.generatorLimited) lines.push('', `  WARNING: ${r.generatorLimited}`);
  lines.push('', `  history: ${r.historyFile}`);
  return lines.join('\n') + '\n';
}

function latency(l: RunReport['latencyMs']): string {
  return `p50=${ms(l.p50)} p90=${ms(l.p90)} p99=${ms(l.p99)} max=${ms(l.max)}`;
}
