import type { RunReport, TimelineBucket } from '../report.js';
import { esc, jsonForScript } from './escape.js';
import { invariantsSection } from './invariants-section.js';
import { headerSection, operationsSection, summarySection, thresholdsSection } from './sections.js';
import { STYLE } from './style.js';
import { lineChart, stackedBarChart } from './time-charts.js';
import { horizontalBars, stackedTotal } from './totals.js';

/**
 * Renders a run report as one self-contained HTML page: inline CSS and inline SVG charts, no
 * script and nothing fetched from the network, so it opens offline, prints, and can be archived
 * as a CI artefact. Every string from the report is escaped. The report's JSON is embedded in a
 * `<script type="application/json" id="report-data">` element (data only, never executed).
 */
export function renderHtmlReport(report: RunReport): string {
  const timeline = [...report.timeline].sort((a, b) => a.t - b.t);
  const lastBucket = timeline.at(-1);
  const xMax = Math.max(
    report.durationSeconds,
    lastBucket ? lastBucket.t + 1 : 0,
    ...report.faults.map((f) => f.toSeconds),
  );
  const base = { timeline, xMax, faults: report.faults };
  const hasCompletions = (b: TimelineBucket) => b.completed > 0;
  const failedThresholds = report.thresholds.filter((t) => !t.ok);

  const banners = [
    report.generatorLimited
      ? `<div class="banner warn" id="generator-limited"><b>The load generator was the bottleneck:</b> ${esc(report.generatorLimited)}. ` +
        `These figures measure the client, not the stack.</div>`
      : '',
    failedThresholds.length > 0
      ? `<div class="banner" id="thresholds-failed"><b>${failedThresholds.length} threshold${failedThresholds.length > 1 ? 's' : ''} failed:</b> ` +
        `${failedThresholds.map((t) => `<code>${esc(t.expr)}</code>`).join(', ')}</div>`
      : '',
  ].join('');

  const throughput = lineChart({
    ...base,
    id: 'chart-throughput',
    title: 'Throughput over time (per second)',
    yLabel: 'per second',
    series: [
      { name: 'started', cls: 's-started', value: (b) => b.started },
      { name: 'completed', cls: 's-completed', value: (b) => b.completed },
      { name: 'confirmed', cls: 's-confirmed', value: (b) => b.confirmed },
    ],
  });
  const latency = lineChart({
    ...base,
    id: 'chart-latency',
    title: 'Latency over time (ms, from intended start)',
    yLabel: 'ms',
    series: [
      { name: 'p50', cls: 's-p50', value: (b) => (hasCompletions(b) ? b.p50 : null) },
      { name: 'p99', cls: 's-p99', value: (b) => (hasCompletions(b) ? b.p99 : null) },
    ],
  });
  const outcomesOverTime = stackedBarChart({
    ...base,
    id: 'chart-outcomes',
    title: 'Outcomes over time (per second)',
    yLabel: 'per second',
    stacks: [
      { name: 'ok', cls: 's-ok', value: (b) => b.ok },
      { name: 'fail', cls: 's-fail', value: (b) => b.fail },
      { name: 'info', cls: 's-info', value: (b) => b.info },
      { name: 'dropped', cls: 's-dropped', value: (b) => b.dropped },
    ],
  });
  const ops = Object.values(report.operations);
  const sum = (k: 'ok' | 'fail' | 'info') => ops.reduce((a, op) => a + (op?.[k] ?? 0), 0);
  const o = report.orders;
  const outcomeTotals = stackedTotal('total-outcomes', 'Operation outcomes', [
    { name: 'ok', cls: 's-ok', value: sum('ok') },
    { name: 'fail', cls: 's-fail', value: sum('fail') },
    { name: 'info (ambiguous)', cls: 's-info', value: sum('info') },
    { name: 'dropped', cls: 's-dropped', value: report.iterations.dropped },
  ]);
  const orderTotals = stackedTotal('total-orders', 'Order statuses', [
    { name: 'confirmed', cls: 's-confirmed', value: o.confirmed },
    { name: 'rejected', cls: 's-rejected', value: o.rejected },
    { name: 'failed', cls: 's-fail', value: o.failed },
    { name: 'ambiguous', cls: 's-info', value: o.ambiguous },
    { name: 'pending', cls: 's-pending', value: o.pending },
  ]);
  const reasons = horizontalBars('reject-reasons', 'Reject reasons', o.rejectReasons);
  const faultList =
    report.faults.length > 0
      ? `<ul class="faults-list">${report.faults
          .map(
            (f) =>
              `<li><code>${esc(f.spec)}</code> from ${f.fromSeconds}s to ${f.toSeconds}s${f.description ? `: ${esc(f.description)}` : ''}</li>`,
          )
          .join('')}</ul>`
      : '';

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<title>${esc(`ecom run ${report.scenario} ${report.runId}`)}</title>
<style>${STYLE}</style></head>
<body>
${headerSection(report)}
${banners}
${summarySection(report)}
${thresholdsSection(report)}
<section id="charts"><h2>Over time${report.faults.length > 0 ? ' <small>fault windows shaded</small>' : ''}</h2>
${faultList}${throughput}${latency}${outcomesOverTime}</section>
<section id="outcomes"><h2>Outcomes</h2>${outcomeTotals}${orderTotals}${reasons}</section>
${operationsSection(report)}
${invariantsSection(report)}
<script type="application/json" id="report-data">${jsonForScript(report)}</script>
</body></html>
`;
}
