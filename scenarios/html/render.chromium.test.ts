import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from './render.js';
import { dumpDom, screenshot } from './testing/chromium.js';
import { buildReport, FIXTURE_FAULTS } from './testing/fixture.js';
import { decodePng, inkStats } from './testing/png.js';

// Renders the report in real headless Chromium (Debian's `chromium` package; this test FAILS when
// it is missing). A probe script appended to a copy of the page measures the laid-out SVG and
// writes what it found into <pre id="probe">, which --dump-dom brings back.
const PROBE = `<pre id="probe"></pre><script>
(() => {
  const box = (el) => { const b = el.getBoundingClientRect(); return { left: b.left, right: b.right, width: b.width, height: b.height }; };
  const charts = {};
  for (const fig of document.querySelectorAll('figure.chart')) {
    const axis = box(fig.querySelector('line.x-axis'));
    charts[fig.id] = {
      series: [...fig.querySelectorAll('g.series')].map((g) => ({
        name: g.dataset.series,
        points: [...g.querySelectorAll('polyline')].reduce((n, p) => n + p.points.numberOfItems, 0) + g.querySelectorAll('circle').length,
        polylines: g.querySelectorAll('polyline').length,
        width: box(g).width,
      })),
      bars: fig.querySelectorAll('g.bar').length,
      barsDrawn: [...fig.querySelectorAll('g.bar')].filter((g) => box(g).height > 0).length,
      faults: [...fig.querySelectorAll('rect.fault-window')].map((r) => {
        const b = box(r);
        return { from: (b.left - axis.left) / axis.width, to: (b.right - axis.left) / axis.width, height: b.height,
          label: r.parentElement.querySelector('text.fault-label').textContent };
      }),
    };
  }
  const data = JSON.parse(document.getElementById('report-data').textContent);
  document.getElementById('probe').textContent = JSON.stringify({
    charts,
    totals: [...document.querySelectorAll('rect.total-part')].map((r) => ({ name: r.dataset.name, width: box(r).width })),
    reasons: [...document.querySelectorAll('g.hbar')].map((g) => g.dataset.name),
    scenarioText: document.querySelector('h1 .scenario').textContent,
    title: document.title,
    dataScenario: data.scenario,
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img').length,
    pwned: document.body.dataset.pwned || null,
    failedRows: [...document.querySelectorAll('#thresholds tr.fail td:first-child')].map((td) => td.textContent),
    banner: document.getElementById('generator-limited')?.textContent ?? null,
  });
})();
</script>`;

interface Probe {
  charts: Record<
    string,
    {
      series: { name: string; points: number; polylines: number; width: number }[];
      bars: number;
      barsDrawn: number;
      faults: { from: number; to: number; height: number; label: string }[];
    }
  >;
  totals: { name: string; width: number }[];
  reasons: string[];
  scenarioText: string;
  title: string;
  dataScenario: string;
  scripts: number;
  images: number;
  pwned: string | null;
  failedRows: string[];
  banner: string | null;
}

// Every test runs Chromium through findChromium(), so each one FAILS (never skips) without it.
const dir = mkdtempSync(join(tmpdir(), 'ecom-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Renders in Chromium with the probe (the CSP is dropped from the copy so the probe may run). */
async function probe(html: string, name: string): Promise<Probe> {
  const file = join(dir, `${name}.html`);
  const withProbe = html
    .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
    .replace('</body>', `${PROBE}</body>`);
  writeFileSync(file, withProbe);
  const dom = await dumpDom(file);
  const m = /<pre id="probe">([\s\S]*?)<\/pre>/.exec(dom);
  if (!m?.[1]) throw new Error(`the probe wrote nothing; Chromium's DOM began with: ${dom.slice(0, 300)}`);
  const text = m[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return JSON.parse(text) as Probe;
}

describe('HTML run report in headless Chromium', { timeout: 60_000 }, () => {
  it('draws every chart from the timeline and shades the fault windows where they were', async () => {
    const report = buildReport({ generatorLimited: 'the event loop lagged 180 ms at 2,000/s' });
    const p = await probe(renderHtmlReport(report), 'fixture');
    const n = report.timeline.length;
    expect(n).toBe(60);

    const throughput = p.charts['chart-throughput'];
    expect(throughput?.series.map((s) => [s.name, s.points])).toEqual([
      ['started', n],
      ['completed', n],
      ['confirmed', n],
    ]);
    // Latency has no value in the second without completions (t = 44): two segments, n - 1 points.
    const latency = p.charts['chart-latency'];
    expect(latency?.series.map((s) => [s.name, s.points, s.polylines])).toEqual([
      ['p50', n - 1, 2],
      ['p99', n - 1, 2],
    ]);
    const outcomes = p.charts['chart-outcomes'];
    expect(outcomes?.bars).toBe(n);
    expect(outcomes?.barsDrawn).toBe(n - 1); // t = 44 completed and dropped nothing
    for (const chart of [throughput, latency])
      for (const s of chart?.series ?? []) expect(s.width).toBeGreaterThan(500);

    for (const id of ['chart-throughput', 'chart-latency', 'chart-outcomes']) {
      const faults = p.charts[id]?.faults ?? [];
      expect(faults).toHaveLength(2);
      FIXTURE_FAULTS.forEach((w, i) => {
        expect(faults[i]?.from).toBeCloseTo(w.fromSeconds / 60, 2);
        expect(faults[i]?.to).toBeCloseTo(w.toSeconds / 60, 2);
        expect(faults[i]?.height).toBeGreaterThan(100);
        expect(faults[i]?.label).toBe(`${w.kind}:${w.target}`);
      });
    }

    expect(p.totals.filter((t) => t.width > 0).map((t) => t.name)).toEqual(
      expect.arrayContaining(['ok', 'fail', 'info (ambiguous)', 'dropped', 'confirmed', 'rejected']),
    );
    expect(p.reasons).toEqual(['out_of_stock', 'payment_declined', 'timeout']);
    expect(p.failedRows).toEqual(['p99<200ms']);
    expect(p.banner).toMatch(/event loop lagged 180 ms/);
    expect(p.dataScenario).toBe('flash-sale');
  });

  it('renders a scenario name, reason and fault spec full of markup as text, never as HTML', async () => {
    const evil = `x</title><script>document.body.dataset.pwned='script'</script><img src=x onerror="document.body.dataset.pwned='img'">`;
    const report = buildReport({
      scenario: evil,
      rejectReasons: { [`<script>document.body.dataset.pwned='reason'</script>`]: 3 },
      faults: [
        {
          spec: `"><svg onload="document.body.dataset.pwned='fault'">`,
          kind: '<b>k</b>',
          target: '</text><script>x</script>',
          fromSeconds: 5,
          toSeconds: 9,
        },
      ],
    });
    const p = await probe(renderHtmlReport(report), 'xss');
    expect(p.pwned).toBeNull();
    expect(p.scenarioText).toBe(evil);
    expect(p.title).toContain(evil);
    expect(p.dataScenario).toBe(evil);
    expect(p.images).toBe(0);
    expect(p.scripts).toBe(2); // the embedded JSON data and the test's probe
    expect(p.reasons).toEqual([`<script>document.body.dataset.pwned='reason'</script>`]);
    expect(p.charts['chart-throughput']?.faults[0]?.label).toBe('<b>k</b>:</text><script>x</script>');
  });

  it('screenshots as a non-blank PNG with the charts in colour', async () => {
    const file = join(dir, 'shot.html');
    const png = join(dir, 'shot.png');
    writeFileSync(file, renderHtmlReport(buildReport()));
    await screenshot(file, png, 1000, 1600);
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([1000, 1600]);
    const stats = inkStats(img);
    expect(stats.inkRatio).toBeGreaterThan(0.03);
    expect(stats.colours).toBeGreaterThan(50);
  });
});
