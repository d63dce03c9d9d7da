/** Escapes text for HTML content and attribute values. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { --bg:#0f1419; --panel:#171e26; --grid:#26313d; --text:#d8dee6; --dim:#8593a3;
  --placed:#5aa9ff; --ok:#3ecf8e; --bad:#ff6b6b; --warn:#ffb347; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--text); }
header { display:flex; align-items:baseline; gap:16px; padding:12px 20px; border-bottom:1px solid var(--grid); }
header h1 { font-size:18px; margin:0; }
#conn { font-size:12px; color:var(--dim); }
#conn.live { color:var(--ok); } #conn.down { color:var(--bad); }
main { display:grid; grid-template-columns:repeat(auto-fit, minmax(460px, 1fr)); gap:14px; padding:14px 20px; }
section { background:var(--panel); border-radius:8px; padding:12px 14px; }
section h2 { font-size:13px; font-weight:600; margin:0 0 8px; color:var(--dim); text-transform:uppercase; letter-spacing:.04em; }
.totals { display:flex; flex-wrap:wrap; gap:18px; }
.kpi b { display:block; font-size:22px; font-variant-numeric:tabular-nums; }
.kpi span { color:var(--dim); font-size:12px; }
svg { width:100%; height:200px; display:block; }
svg text { fill:var(--dim); font-size:10px; }
line.grid { stroke:var(--grid); stroke-width:1; }
polyline { fill:none; stroke-width:2; }
.legend { display:flex; flex-wrap:wrap; gap:12px; font-size:12px; color:var(--dim); margin-top:4px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
.breaker { display:inline-block; margin:3px 6px 3px 0; padding:3px 8px; border-radius:12px; font-size:12px; }
.breaker.closed { background:#1d3b2f; color:var(--ok); } .breaker.half-open { background:#3d3220; color:var(--warn); }
.breaker.open { background:#472326; color:var(--bad); }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
td, th { text-align:right; padding:2px 6px; } td:first-child, th:first-child { text-align:left; }
th { color:var(--dim); font-weight:500; font-size:12px; }
.empty { color:var(--dim); font-style:italic; }
`;

// The page script: keeps the last snapshot and a client-side history of latencies, redraws every
// chart on each server-sent event. State is on window.dashboard (tests read it).
const SCRIPT = `
(() => {
  const NS = 'http://www.w3.org/2000/svg';
  const COLORS = ['#5aa9ff', '#3ecf8e', '#ffb347', '#c792ea', '#ff6b6b', '#4dd0e1', '#f78c6c'];
  const state = { updates: 0, last: null, latency: {}, errors: 0 };
  window.dashboard = state;
  const $ = (id) => document.getElementById(id);
  const el = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (parent) parent.appendChild(e);
    return e;
  };
  const fmt = (n, d = 0) => Number(n).toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
  const esc = (t) => String(t).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
  const money = (m) => fmt(m.amountMinor / 100, 2) + ' ' + m.currency;

  /** Line chart: series = [{name, color, values, dashed}], x = index. */
  function lineChart(svg, series, unit) {
    svg.replaceChildren();
    const W = 600, H = 200, L = 58, R = 8, T = 8, B = 18;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    const n = Math.max(2, ...series.map((s) => s.values.length));
    const max = Math.max(1, ...series.flatMap((s) => s.values)) * 1.1;
    for (let i = 0; i <= 4; i++) {
      const y = T + ((H - T - B) * i) / 4;
      el('line', { class: 'grid', x1: L, x2: W - R, y1: y, y2: y }, svg);
      const label = el('text', { x: L - 4, y: y + 3, 'text-anchor': 'end' }, svg);
      label.textContent = fmt(max * (1 - i / 4), max < 10 ? 1 : 0) + (i === 0 ? unit : '');
    }
    for (const s of series) {
      const g = el('g', { class: 'series', 'data-series': s.name }, svg);
      const pts = s.values.map((v, i) => {
        const x = L + ((W - L - R) * i) / (n - 1);
        const y = T + (H - T - B) * (1 - v / max);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      el('polyline', { points: pts.join(' '), stroke: s.color, 'stroke-dasharray': s.dashed ? '5 4' : 'none' }, g);
    }
  }

  function legend(id, items) {
    $(id).innerHTML = items.map((i) => '<span><i style="background:' + i.color + '"></i>' + esc(i.name) + '</span>').join('');
  }

  function kpis(s) {
    const t = s.totals;
    const items = [
      ['orders/s', fmt(s.ordersPerSecond, 1)],
      ['placed', fmt(t.placed)],
      ['confirmed', fmt(t.confirmed)],
      ['rejected', fmt(t.rejected)],
      ['cancelled', fmt(t.cancelled)],
      ['conversion', fmt(t.conversion * 100, 1) + ' %'],
      ['revenue', t.revenue.length ? t.revenue.map(money).join(', ') : '0'],
      ['payment failures', fmt(t.paymentsFailed)],
      ['stock-outs', fmt(t.stockOuts)],
    ];
    $('totals').innerHTML = items.map(([k, v]) => '<div class="kpi" data-kpi="' + k + '"><b>' + esc(v) + '</b><span>' + k + '</span></div>').join('');
  }

  function latency(s) {
    for (const svc of s.services) {
      const h = (state.latency[svc.service] ||= []);
      h.push({ at: s.at, p50: svc.p50Ms, p99: svc.p99Ms });
      if (h.length > 120) h.shift();
    }
    const names = Object.keys(state.latency).sort();
    const series = [];
    names.forEach((name, i) => {
      const c = COLORS[i % COLORS.length];
      const h = state.latency[name];
      series.push({ name: name + ' p50', color: c, values: h.map((p) => p.p50) });
      series.push({ name: name + ' p99', color: c, values: h.map((p) => p.p99), dashed: true });
    });
    lineChart($('chart-latency'), series, ' ms');
    legend('legend-latency', names.map((n, i) => ({ name: n + ' (p50 solid, p99 dashed)', color: COLORS[i % COLORS.length] })));
    $('latency-table').innerHTML = '<tr><th>service</th><th>calls</th><th>errors</th><th>p50 ms</th><th>p99 ms</th></tr>' +
      s.services.map((l) => '<tr data-service="' + esc(l.service) + '"><td>' + esc(l.service) + '</td><td>' + fmt(l.count) + '</td><td>' + fmt(l.errors) +
        '</td><td>' + fmt(l.p50Ms, 1) + '</td><td>' + fmt(l.p99Ms, 1) + '</td></tr>').join('');
  }

  function stock(s) {
    const svg = $('chart-stock');
    svg.replaceChildren();
    if (!s.hotStock.length) { $('stock-empty').style.display = ''; return; }
    $('stock-empty').style.display = 'none';
    const W = 600, rowH = 26, L = 120;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + Math.max(40, s.hotStock.length * rowH + 6));
    const max = Math.max(1, ...s.hotStock.map((h) => h.available));
    s.hotStock.forEach((h, i) => {
      const g = el('g', { class: 'bar', 'data-sku': h.sku }, svg);
      const y = 4 + i * rowH;
      el('text', { x: 0, y: y + 15 }, g).textContent = h.sku;
      const w = ((W - L - 90) * h.available) / max;
      el('rect', { x: L, y, width: Math.max(1, w), height: rowH - 8, rx: 3, fill: h.available > 0 ? '#5aa9ff' : '#ff6b6b' }, g);
      el('text', { x: L + w + 6, y: y + 15 }, g).textContent = fmt(h.available) + ' left, ' + fmt(h.unitsSold) + ' sold';
    });
  }

  function breakers(s) {
    $('breakers').innerHTML = s.breakers.length
      ? s.breakers.map((b) => '<span class="breaker ' + esc(b.state) + '" data-breaker="' + esc(b.instance + '/' + b.target) + '">' +
          esc(b.instance + ' → ' + b.target + ': ' + b.state) + '</span>').join('')
      : '<span class="empty">no breaker reported yet</span>';
    $('reasons').innerHTML = s.rejectionReasons.length
      ? '<tr><th>rejection reason</th><th>orders</th></tr>' + s.rejectionReasons.map((r) => '<tr><td>' + esc(r.reason) + '</td><td>' + fmt(r.count) + '</td></tr>').join('')
      : '<tr><td class="empty">no rejections</td></tr>';
  }

  function render(s) {
    state.updates++;
    state.last = s;
    kpis(s);
    lineChart($('chart-throughput'), [{ name: 'placed', color: '#5aa9ff', values: s.placed }], '/s');
    lineChart($('chart-outcomes'), [
      { name: 'confirmed', color: '#3ecf8e', values: s.confirmed },
      { name: 'rejected', color: '#ff6b6b', values: s.rejected },
    ], '/s');
    latency(s);
    stock(s);
    breakers(s);
    $('updated').textContent = new Date(s.at).toLocaleTimeString();
  }

  legend('legend-throughput', [{ name: 'orders placed per second', color: '#5aa9ff' }]);
  legend('legend-outcomes', [{ name: 'confirmed', color: '#3ecf8e' }, { name: 'rejected', color: '#ff6b6b' }]);
  const source = new EventSource('events');
  source.addEventListener('snapshot', (ev) => {
    $('conn').textContent = 'live';
    $('conn').className = 'live';
    try { render(JSON.parse(ev.data)); } catch (err) { state.errors++; console.error(err); }
  });
  source.onerror = () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'down'; };
})();
`;

/** The live dashboard: one self-contained page (inline CSS, JS and SVG; nothing loaded from elsewhere). */
export function dashboardPage(opts: { instance: string; seconds: number }): string {
  const instance = escapeHtml(opts.instance);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ecom live dashboard</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>ecom live dashboard</h1><span id="conn">connecting…</span>
<span style="margin-left:auto;color:var(--dim);font-size:12px">served by ${instance} · updated <span id="updated">never</span></span></header>
<main>
<section style="grid-column:1/-1"><h2>Totals</h2><div class="totals" id="totals"></div></section>
<section id="throughput"><h2>Orders per second (last ${opts.seconds} s)</h2><svg id="chart-throughput" role="img" aria-label="orders per second"></svg><div class="legend" id="legend-throughput"></div></section>
<section id="outcomes"><h2>Confirmed vs rejected per second</h2><svg id="chart-outcomes" role="img" aria-label="confirmed and rejected orders per second"></svg><div class="legend" id="legend-outcomes"></div></section>
<section id="latency"><h2>Latency per service (p50 / p99)</h2><svg id="chart-latency" role="img" aria-label="latency percentiles per service"></svg><div class="legend" id="legend-latency"></div><table id="latency-table"></table></section>
<section id="stock"><h2>Stock of hot SKUs</h2><svg id="chart-stock" role="img" aria-label="stock of the best-selling SKUs"></svg><p class="empty" id="stock-empty">no sales yet</p></section>
<section id="health"><h2>Circuit breakers</h2><div id="breakers"></div><h2 style="margin-top:14px">Rejections</h2><table id="reasons"></table></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
