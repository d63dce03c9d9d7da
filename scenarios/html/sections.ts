import type { RunReport } from '../report.js';
import { parseThreshold } from '../thresholds.js';
import { esc } from './escape.js';
import { fmtInt, fmtMs, fmtNum, fmtPct, fmtSeconds } from './format.js';

/** The run's identity: scenario, run id, seed, start, duration, executor. */
export function headerSection(report: RunReport): string {
  const e = report.executor;
  const executor = [
    e.type,
    e.targetRate !== undefined ? `target ${fmtNum(e.targetRate, 2)}/s` : '',
    e.vus !== undefined ? `${fmtInt(e.vus)} VUs` : '',
    e.maxInFlight !== undefined ? `max in flight ${fmtInt(e.maxInFlight)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const rows: [string, string][] = [
    ['run id', report.runId],
    ['seed', String(report.seed)],
    ['started', report.startedAt],
    ['duration', fmtSeconds(report.durationSeconds)],
    ['executor', executor],
    ['history', report.historyFile],
  ];
  return (
    `<header><h1>ecom run report: <span class="scenario">${esc(report.scenario)}</span></h1>` +
    `<dl class="meta">${rows.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl></header>`
  );
}

/** The headline figures (orders, throughput, latency, iterations). */
export function summarySection(report: RunReport): string {
  const o = report.orders;
  const l = report.latencyMs;
  const figure = (name: string, value: string, cls = '') =>
    `<div class="figure ${cls}" data-figure="${esc(name)}"><span class="value">${esc(value)}</span><span class="name">${esc(name)}</span></div>`;
  return (
    `<section id="summary"><h2>Summary</h2>` +
    `<div class="figures">` +
    figure('attempted', fmtInt(o.attempted)) +
    figure('confirmed', fmtInt(o.confirmed), 's-confirmed-text') +
    figure('rejected', fmtInt(o.rejected)) +
    figure('failed', fmtInt(o.failed), o.failed > 0 ? 'bad' : '') +
    figure('ambiguous', fmtInt(o.ambiguous)) +
    figure('pending', fmtInt(o.pending)) +
    `</div><div class="figures">` +
    figure('throughput', `${fmtNum(report.throughputPerSecond, 1)}/s`) +
    figure('confirmed/s', `${fmtNum(report.confirmedPerSecond, 1)}/s`) +
    figure('p50', fmtMs(l.p50)) +
    figure('p90', fmtMs(l.p90)) +
    figure('p99', fmtMs(l.p99)) +
    figure('max', fmtMs(l.max)) +
    `</div><p class="iterations">iterations: ${fmtInt(report.iterations.started)} started, ` +
    `${fmtInt(report.iterations.completed)} completed, ${fmtInt(report.iterations.dropped)} dropped</p></section>`
  );
}

/** Each threshold with its observed value and PASS/FAIL. */
export function thresholdsSection(report: RunReport): string {
  if (report.thresholds.length === 0)
    return `<section id="thresholds"><h2>Thresholds</h2><p class="none">none</p></section>`;
  const failed = report.thresholds.filter((t) => !t.ok).length;
  const rows = report.thresholds
    .map(
      (t) =>
        `<tr class="${t.ok ? 'pass' : 'fail'}"><td><code>${esc(t.expr)}</code></td>` +
        `<td class="num">${esc(formatActual(t.expr, t.actual))}</td>` +
        `<td class="verdict">${t.ok ? 'PASS' : 'FAIL'}</td></tr>`,
    )
    .join('');
  return (
    `<section id="thresholds"><h2>Thresholds <small>${report.thresholds.length - failed} passed, ${failed} failed</small></h2>` +
    `<table><thead><tr><th>threshold</th><th>observed</th><th>result</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function formatActual(expr: string, actual: number | undefined): string {
  if (actual === undefined) return '–';
  try {
    const t = parseThreshold(expr);
    if (t.metric === 'errors' || t.metric === 'dropped') return fmtPct(actual);
    if (t.metric === 'percentile' || t.metric === 'max' || t.metric === 'mean') return fmtMs(actual);
  } catch {
    // An expression the parser no longer accepts still shows its raw value.
  }
  return fmtNum(actual, 2);
}

/** Per-operation counts and latencies. */
export function operationsSection(report: RunReport): string {
  const entries = Object.entries(report.operations);
  if (entries.length === 0)
    return `<section id="operations"><h2>Operations</h2><p class="none">none</p></section>`;
  const rows = entries
    .map(([name, op]) => {
      if (!op) return '';
      const l = op.latencyMs;
      return (
        `<tr data-op="${esc(name)}"><td>${esc(name)}</td>` +
        [op.count, op.ok, op.fail, op.info].map((n) => `<td class="num">${fmtInt(n)}</td>`).join('') +
        [l.p50, l.p90, l.p99, l.max, l.mean].map((n) => `<td class="num">${fmtMs(n)}</td>`).join('') +
        `</tr>`
      );
    })
    .join('');
  const head = ['operation', 'count', 'ok', 'fail', 'info', 'p50', 'p90', 'p99', 'max', 'mean'];
  return (
    `<section id="operations"><h2>Operations</h2><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows}</tbody></table></section>`
  );
}
