import { describe, expect, it } from 'vitest';
import { esc, jsonForScript } from './escape.js';
import { fmtInt, fmtMs, fmtNum, fmtPct, fmtSeconds } from './format.js';
import { niceScale } from './frame.js';
import { renderHtmlReport } from './render.js';
import { buildReport } from './testing/fixture.js';

describe('HTML report markup', () => {
  const html = renderHtmlReport(buildReport());

  it('is self-contained: nothing fetched, no script that runs, a CSP that forbids both', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="report-data">']);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline';"`);
  });

  it('has every section and no NaN/undefined leaking from the figures', () => {
    for (const id of ['summary', 'thresholds', 'charts', 'outcomes', 'operations', 'invariants']) {
      expect(html).toContain(`<section id="${id}">`);
    }
    for (const id of [
      'chart-throughput',
      'chart-latency',
      'chart-outcomes',
      'total-outcomes',
      'total-orders',
      'reject-reasons',
    ]) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
    expect(html).toContain('<tr class="fail"><td><code>p99&lt;200ms</code></td><td class="num">413 ms</td>');
    expect(html).toContain('<td class="num">2.1%</td>');
    expect(html).not.toContain('id="generator-limited"');
  });

  it('embeds the report JSON so it round-trips', () => {
    const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    expect(JSON.parse(m?.[1] ?? '')).toEqual(buildReport());
  });

  it('renders an empty run (no timeline, faults, thresholds or invariants) without NaN', () => {
    const empty = {
      ...buildReport({ seconds: 0, faults: [], rejectReasons: {} }),
      thresholds: [],
      invariants: undefined,
    };
    const out = renderHtmlReport({ ...empty, operations: {} });
    expect(out).not.toMatch(/NaN|undefined|Infinity/);
    expect(out).not.toContain('id="invariants"');
    expect(out).not.toContain('class="fault"');
    expect(out).toContain('<section id="thresholds"><h2>Thresholds</h2><p class="none">none</p>');
  });

  it('escapes every report string in text and attributes', () => {
    const evil = `"><script>alert(1)</script>`;
    const out = renderHtmlReport(
      buildReport({
        scenario: evil,
        rejectReasons: { [evil]: 1 },
        generatorLimited: evil,
        faults: [{ spec: evil, kind: evil, target: evil, fromSeconds: 1, toSeconds: 2, description: evil }],
      }),
    );
    expect(out).not.toContain('<script>alert(1)');
    expect(out).not.toContain(evil);
    expect(out.match(/<script\b/g)).toHaveLength(1);
    expect(out).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('escaping and formatting helpers', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('keeps script-embedded JSON parseable and free of < > &', () => {
    const value = { s: '</script><!-- & \u2028 -->' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('formats figures', () => {
    expect(fmtInt(1234567.4)).toBe('1,234,567');
    expect(fmtNum(1234.56, 1)).toBe('1,234.6');
    expect(fmtNum(-0.5, 2)).toBe('-0.5');
    expect(fmtMs(0.4213)).toBe('0.42 ms');
    expect(fmtMs(12.34)).toBe('12.3 ms');
    expect(fmtMs(1234.5)).toBe('1,235 ms');
    expect(fmtPct(0.01234)).toBe('1.23%');
    expect(fmtSeconds(75)).toBe('1m 15s');
    expect(fmtSeconds(NaN)).toBe('–');
  });

  it('picks round axis bounds', () => {
    expect(niceScale(0)).toEqual({ max: 1, step: 0.25 });
    expect(niceScale(203)).toEqual({ max: 300, step: 100 });
    expect(niceScale(180)).toEqual({ max: 200, step: 50 });
    expect(niceScale(900)).toEqual({ max: 1000, step: 250 });
    expect(niceScale(60)).toEqual({ max: 60, step: 20 });
  });
});
