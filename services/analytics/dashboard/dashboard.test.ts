import { describe, expect, it } from 'vitest';
import { METRICS } from '../aggregate.js';
import { ScrapeHistory } from '../scrapes.js';
import { AggregateView } from '../view.js';
import { dashboardPage } from './page.js';
import { sseEvent } from './http.js';
import { dashboardSnapshot } from './snapshot.js';

describe('the dashboard page', () => {
  const page = dashboardPage({ instance: 'analytics-1<script>', seconds: 120 });

  it('is self-contained: no external script, style, image or font, inline SVG charts', () => {
    expect(page).not.toMatch(/\s(src|href)=/i);
    expect(page).not.toMatch(/@import|url\(/);
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(page.match(/<script>/g)).toHaveLength(1);
    for (const id of ['chart-throughput', 'chart-outcomes', 'chart-latency', 'chart-stock', 'breakers']) {
      expect(page).toContain(`id="${id}"`);
    }
    expect(page).toContain("new EventSource('events')");
  });

  it('escapes the instance name', () => {
    expect(page).toContain('analytics-1&#60;script&#62;');
    expect(page).not.toContain('analytics-1<script>');
  });

  it('frames server-sent events', () => {
    expect(sseEvent('snapshot', { a: 1 })).toBe('event: snapshot\ndata: {"a":1}\n\n');
  });
});

describe('the dashboard snapshot', () => {
  it('carries the per-second series ending with the last complete second, totals and breakers', () => {
    const now = 1_700_000_000_250;
    const last = Math.floor(now / 1_000) - 1;
    const view = new AggregateView();
    view.set([
      { bucket: last, metric: METRICS.ordersPlaced, dim: '', value: 4 },
      { bucket: last - 2, metric: METRICS.ordersConfirmed, dim: '', value: 3 },
      { bucket: last + 1, metric: METRICS.ordersPlaced, dim: '', value: 100 },
      { bucket: null, metric: METRICS.ordersPlaced, dim: '', value: 10 },
      { bucket: null, metric: METRICS.ordersConfirmed, dim: '', value: 5 },
    ]);
    const stock = { levels: () => [], stop: async () => undefined };
    const snap = dashboardSnapshot(
      { view, scrapes: new ScrapeHistory(1_000), stock, hotSkus: 5, now: () => now },
      5,
    );
    expect(snap.lastSecond).toBe(last);
    expect(snap.placed).toEqual([0, 0, 0, 0, 4]);
    expect(snap.confirmed).toEqual([0, 0, 3, 0, 0]);
    expect(snap.totals).toMatchObject({ placed: 10, confirmed: 5, conversion: 0.5 });
    expect(snap.breakers).toEqual([]);
  });
});
