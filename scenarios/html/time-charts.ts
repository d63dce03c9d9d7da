import type { FaultWindow, TimelineBucket } from '../report.js';
import { esc } from './escape.js';
import { axes, faultShading, legend, makeFrame, r, type Frame } from './frame.js';

/** One line of a time chart: a value per bucket, or null where the bucket has nothing to plot. */
export interface Series {
  name: string;
  /** CSS class giving its colour and dash (style.ts). */
  cls: string;
  value(b: TimelineBucket): number | null;
}

interface TimeChartInput {
  id: string;
  title: string;
  yLabel: string;
  timeline: TimelineBucket[];
  xMax: number;
  faults: FaultWindow[];
}

/** Width of one bucket in seconds (1 s unless the timeline was bucketed coarser). */
export function bucketSeconds(timeline: TimelineBucket[]): number {
  let width = Infinity;
  for (let i = 1; i < timeline.length; i++) {
    const d = (timeline[i]?.t ?? 0) - (timeline[i - 1]?.t ?? 0);
    if (d > 0) width = Math.min(width, d);
  }
  return Number.isFinite(width) ? width : 1;
}

/**
 * A line chart over time with the fault windows shaded. Each series is drawn as polylines that
 * break where a bucket has no value (a second without completions has no latency, not zero).
 */
export function lineChart(input: TimeChartInput & { series: Series[] }): string {
  const { timeline, series } = input;
  const half = bucketSeconds(timeline) / 2;
  let yMax = 0;
  for (const b of timeline) for (const s of series) yMax = Math.max(yMax, s.value(b) ?? 0);
  const f = makeFrame(input.xMax, yMax);
  const lines = series.map((s) => {
    const segments: [number, number][][] = [[]];
    for (const b of timeline) {
      const v = s.value(b);
      if (v === null || !Number.isFinite(v)) {
        if ((segments.at(-1) ?? []).length > 0) segments.push([]);
        continue;
      }
      segments.at(-1)?.push([r(f.x(b.t + half)), r(f.y(v))]);
    }
    const drawn = segments.filter((seg) => seg.length > 0);
    const points = drawn.reduce((n, seg) => n + seg.length, 0);
    const body = drawn
      .map(([first, ...rest]) =>
        rest.length === 0 && first
          ? `<circle class="dot ${s.cls}" cx="${first[0]}" cy="${first[1]}" r="2"/>`
          : `<polyline class="line ${s.cls}" points="${[first, ...rest].map((p) => p?.join(',')).join(' ')}"/>`,
      )
      .join('');
    return `<g class="series" data-series="${esc(s.name)}" data-points="${points}">${body}</g>`;
  });
  return frameSvg(input, f, lines.join(''), legend(f, series));
}

/** Stacked bars per bucket (ok / fail / info / dropped), fault windows shaded. */
export function stackedBarChart(
  input: TimeChartInput & { stacks: { name: string; cls: string; value(b: TimelineBucket): number }[] },
): string {
  const { timeline, stacks } = input;
  const width = bucketSeconds(timeline);
  let yMax = 0;
  for (const b of timeline)
    yMax = Math.max(
      yMax,
      stacks.reduce((a, s) => a + s.value(b), 0),
    );
  const f = makeFrame(input.xMax, yMax);
  const barWidth = Math.max(f.x(width) - f.x(0) - 1, 0.5);
  const bars = timeline.map((b) => {
    let base = 0;
    const rects = stacks
      .map((s) => {
        const v = s.value(b);
        if (!(v > 0)) return '';
        const y1 = f.y(base + v);
        const y0 = f.y(base);
        base += v;
        return `<rect class="bar-part ${s.cls}" x="${r(f.x(b.t))}" y="${r(y1)}" width="${r(barWidth)}" height="${r(Math.max(y0 - y1, 0.5))}"><title>${esc(s.name)} ${v} at ${b.t}s</title></rect>`;
      })
      .join('');
    return `<g class="bar" data-t="${b.t}">${rects}</g>`;
  });
  return frameSvg(input, f, bars.join(''), legend(f, stacks));
}

function frameSvg(input: TimeChartInput, f: Frame, body: string, legendSvg: string): string {
  return (
    `<figure class="chart" id="${esc(input.id)}">` +
    `<figcaption>${esc(input.title)}</figcaption>` +
    `<svg viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${esc(input.title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<g class="faults">${faultShading(f, input.faults)}</g>` +
    axes(f, input.yLabel) +
    `<g class="plot">${body}</g>` +
    legendSvg +
    `</svg></figure>`
  );
}
