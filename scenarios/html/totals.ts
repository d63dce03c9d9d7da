import { esc } from './escape.js';
import { r } from './frame.js';
import { fmtInt, fmtPct } from './format.js';

/** One part of a total: a named count drawn in its class's colour. */
export interface Part {
  name: string;
  cls: string;
  value: number;
}

const WIDTH = 900;

/** One horizontal bar split into its parts, with a labelled count and share under it. */
export function stackedTotal(id: string, title: string, parts: Part[]): string {
  const total = parts.reduce((a, p) => a + Math.max(p.value, 0), 0);
  let x = 0;
  const rects = parts
    .map((p) => {
      const w = total > 0 ? (Math.max(p.value, 0) / total) * WIDTH : 0;
      const rect =
        w > 0
          ? `<rect class="total-part ${p.cls}" data-name="${esc(p.name)}" data-value="${p.value}" x="${r(x)}" y="0" width="${r(w)}" height="22"><title>${esc(p.name)}: ${fmtInt(p.value)}</title></rect>`
          : '';
      x += w;
      return rect;
    })
    .join('');
  const keys = parts
    .map(
      (p) =>
        `<li><svg class="key" viewBox="0 0 12 12" width="12" height="12"><rect class="${p.cls}" width="12" height="12"/></svg>` +
        `${esc(p.name)} <b>${fmtInt(p.value)}</b>${total > 0 ? ` (${fmtPct(p.value / total)})` : ''}</li>`,
    )
    .join('');
  return (
    `<figure class="total" id="${esc(id)}"><figcaption>${esc(title)}</figcaption>` +
    `<svg viewBox="0 0 ${WIDTH} 22" preserveAspectRatio="none" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">` +
    `<rect class="total-empty" width="${WIDTH}" height="22"/>${rects}</svg>` +
    `<ul class="keys">${keys}</ul></figure>`
  );
}

/** One row per category, the bar's length proportional to its count (largest first). */
export function horizontalBars(id: string, title: string, counts: Record<string, number>): string {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (rows.length === 0) {
    return `<figure class="hbars" id="${esc(id)}"><figcaption>${esc(title)}</figcaption><p class="none">none</p></figure>`;
  }
  const max = Math.max(...rows.map(([, n]) => n), 1);
  const rowHeight = 22;
  const labelWidth = 260;
  const barSpace = WIDTH - labelWidth - 90;
  const body = rows
    .map(([name, n], i) => {
      const y = i * rowHeight;
      return (
        `<g class="hbar" data-name="${esc(name)}" data-value="${n}">` +
        `<text class="hbar-label" x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(name)}</text>` +
        `<rect class="s-rejected" x="${labelWidth}" y="${y + 3}" width="${r(Math.max((n / max) * barSpace, 1))}" height="${rowHeight - 6}"/>` +
        `<text class="hbar-value" x="${r(labelWidth + (n / max) * barSpace + 6)}" y="${y + 15}">${fmtInt(n)}</text></g>`
      );
    })
    .join('');
  const height = rows.length * rowHeight;
  return (
    `<figure class="hbars" id="${esc(id)}"><figcaption>${esc(title)}</figcaption>` +
    `<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg></figure>`
  );
}
