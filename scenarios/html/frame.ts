import type { FaultWindow } from '../report.js';
import { esc } from './escape.js';
import { fmtNum } from './format.js';

/** The plotting area of one time chart and its scales (seconds → x, value → y). */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  xMax: number;
  yMax: number;
  yStep: number;
  x(t: number): number;
  y(v: number): number;
}

const WIDTH = 900;
const HEIGHT = 260;
const MARGIN = { left: 60, right: 16, top: 34, bottom: 30 };

/** A round upper bound for an axis and the step between its ticks (about four ticks). */
export function niceScale(max: number): { max: number; step: number } {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, step: 0.25 };
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  return { max: Math.ceil(max / step - 1e-9) * step, step };
}

/** Builds the frame for a time chart spanning [0, xMax] seconds and [0, yMax] values. */
export function makeFrame(xMax: number, yMax: number): Frame {
  const { max, step } = niceScale(yMax);
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const span = xMax > 0 ? xMax : 1;
  return {
    width: WIDTH,
    height: HEIGHT,
    left,
    right,
    top,
    bottom,
    xMax: span,
    yMax: max,
    yStep: step,
    x: (t) => left + (Math.min(Math.max(t, 0), span) / span) * (right - left),
    y: (v) => bottom - (Math.min(Math.max(v, 0), max) / max) * (bottom - top),
  };
}

/** Grid lines, tick labels and axis titles. */
export function axes(f: Frame, yLabel: string): string {
  const parts: string[] = [];
  for (let v = 0; v <= f.yMax + 1e-9; v += f.yStep) {
    const y = r(f.y(v));
    parts.push(`<line class="grid" x1="${f.left}" x2="${f.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${f.left - 6}" y="${y + 4}" text-anchor="end">${fmtNum(v, 2)}</text>`);
  }
  const xStep = niceScale(f.xMax).step;
  for (let t = 0; t <= f.xMax + 1e-9; t += xStep) {
    const x = r(f.x(t));
    parts.push(`<line class="axis" x1="${x}" x2="${x}" y1="${f.bottom}" y2="${f.bottom + 4}"/>`);
    parts.push(
      `<text class="tick" x="${x}" y="${f.bottom + 16}" text-anchor="middle">${fmtNum(t, 1)}s</text>`,
    );
  }
  parts.push(`<line class="axis x-axis" x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}"/>`);
  parts.push(`<line class="axis" x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.bottom}"/>`);
  parts.push(`<text class="unit" x="4" y="${f.top - 12}">${esc(yLabel)}</text>`);
  return parts.join('');
}

/** Shaded rectangles for the fault windows, each labelled with its fault (labels staggered). */
export function faultShading(f: Frame, faults: FaultWindow[]): string {
  return faults
    .map((w, i) => {
      const x1 = f.x(w.fromSeconds);
      const x2 = f.x(Math.max(w.toSeconds, w.fromSeconds));
      const label = `${w.kind}:${w.target}`;
      const title = w.description ? `${w.spec} (${w.description})` : w.spec;
      const labelY = f.top + 11 + (i % 3) * 12;
      return (
        `<g class="fault" data-from="${w.fromSeconds}" data-to="${w.toSeconds}">` +
        `<title>${esc(title)}</title>` +
        `<rect class="fault-window" x="${r(x1)}" y="${f.top}" width="${r(Math.max(x2 - x1, 1))}" height="${r(f.bottom - f.top)}"/>` +
        `<text class="fault-label" x="${r(x1 + 3)}" y="${labelY}">${esc(label)}</text></g>`
      );
    })
    .join('');
}

/** A legend row above the plot. */
export function legend(f: Frame, items: { name: string; cls: string }[]): string {
  let x = f.right;
  const parts: string[] = [];
  for (const item of [...items].reverse()) {
    const textWidth = item.name.length * 6.5;
    x -= textWidth;
    parts.push(`<text class="legend-text" x="${r(x)}" y="14">${esc(item.name)}</text>`);
    parts.push(`<rect class="swatch ${item.cls}" x="${r(x - 16)}" y="6" width="12" height="10"/>`);
    x -= 28;
  }
  return `<g class="legend">${parts.join('')}</g>`;
}

/** Rounds a coordinate to 0.1 px so the markup stays small. */
export function r(n: number): number {
  return Math.round(n * 10) / 10;
}
