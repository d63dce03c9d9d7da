/** Colours of every series; each class colours lines (stroke) and areas (fill). */
const COLOURS: Record<string, string> = {
  started: '#4c78a8',
  completed: '#54a24b',
  confirmed: '#7b4fa0',
  p50: '#4c78a8',
  p99: '#d62728',
  ok: '#54a24b',
  fail: '#d62728',
  info: '#f2b134',
  dropped: '#8c8c8c',
  rejected: '#e8823a',
  pending: '#9ecae9',
};

const seriesCss = Object.entries(COLOURS)
  .map(
    ([name, c]) =>
      `.line.s-${name}{stroke:${c}}.s-${name}:not(.line){fill:${c}}.s-${name}-text .value{color:${c}}`,
  )
  .join('\n');

/** The report's stylesheet: plain, readable, printable (colours kept when printing). */
export const STYLE = `
:root{color-scheme:light;-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1d1f;background:#fff;margin:0 auto;max-width:960px;padding:16px 20px 40px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h2 small{font-weight:normal;color:#555;font-size:13px;margin-left:8px}
code{font:13px ui-monospace,"DejaVu Sans Mono",monospace}
.meta{display:grid;grid-template-columns:repeat(3,1fr);gap:4px 16px;margin:0}
.meta div{display:flex;gap:6px;min-width:0}.meta dt{color:#666}.meta dd{margin:0;overflow-wrap:anywhere}
.banner{border:2px solid #d62728;background:#fdecea;padding:8px 12px;margin:12px 0;border-radius:4px}
.banner.warn{border-color:#f2b134;background:#fff6e0}
.figures{display:grid;grid-template-columns:repeat(6,1fr);gap:8px;margin:8px 0}
.figure{border:1px solid #ddd;border-radius:4px;padding:6px 8px;display:flex;flex-direction:column}
.figure .value{font-size:19px;font-weight:600}.figure .name{color:#666;font-size:12px}
.figure.bad .value{color:#d62728}
.iterations{color:#444;margin:4px 0}
table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.fail .verdict,.fail{color:#b71c1c;font-weight:600}tr.pass .verdict,.pass{color:#1b5e20}
tr.unknown .verdict{color:#8a6d00;font-weight:600}
td ul{margin:0;padding-left:16px}li.note{color:#666}
.none{color:#777}
figure{margin:12px 0;break-inside:avoid}figcaption{font-weight:600;margin-bottom:4px}
.chart svg{width:100%;height:auto;display:block}
.total svg{width:100%;height:22px;display:block}
.hbars svg{width:100%;height:auto;display:block}
.keys{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 18px}
.keys li{display:flex;align-items:center;gap:5px}
.grid{stroke:#e6e6e6;stroke-width:1}.axis{stroke:#555;stroke-width:1}
.tick,.unit,.legend-text,.hbar-label,.hbar-value{font-size:11px;fill:#444}
.line{fill:none;stroke-width:1.8;stroke-linejoin:round}
.line.s-completed{stroke-dasharray:6 3}.line.s-confirmed{stroke-dasharray:2 2}.line.s-p99{stroke-dasharray:6 3}
.fault-window{fill:#f58518;fill-opacity:.16;stroke:#f58518;stroke-opacity:.6}
.fault-label{font-size:11px;fill:#a34f00}
.total-empty{fill:#f0f0f0}
${seriesCss}
@media print{body{max-width:none;padding:0}h2{break-after:avoid}section{break-inside:auto}}
`;
