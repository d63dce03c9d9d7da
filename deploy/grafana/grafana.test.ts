import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireExecutable } from '../../stack/which.js';

const run = promisify(execFile);
const here = import.meta.dirname;
const root = join(here, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'ecom-grafana-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
const dashboards = readdirSync(join(here, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, doc: JSON.parse(readFileSync(join(here, 'dashboards', f), 'utf8')) as { uid: string; title: string; panels: Panel[] } }));
const exprs = dashboards.flatMap((d) =>
  d.doc.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ dashboard: d.file, panel: p.title, expr: t.expr, uid: t.datasource?.uid }))),
);

/** Metric names declared in the code: string literals 'ecom_…' in platform/ and services/. */
function declaredMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.includes('.test.')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/'(ecom_[a-z0-9_]+)'/g)) names.add(m[1]!);
      }
    }
  };
  walk(join(root, 'platform'));
  walk(join(root, 'services'));
  return names;
}

describe('Grafana provisioning', () => {
  it('has the datasource every dashboard panel uses, and a dashboard provider', () => {
    const ds = parse(readFileSync(join(here, 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8')) as {
      datasources: { uid: string; type: string }[];
    };
    expect(ds.datasources).toEqual([expect.objectContaining({ uid: 'ecom-prometheus', type: 'prometheus' })]);
    const providers = parse(readFileSync(join(here, 'provisioning', 'dashboards', 'ecom.yaml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers[0]).toMatchObject({ type: 'file' });
    expect(dashboards.map((d) => d.doc.uid).sort()).toEqual(['ecom-overview', 'ecom-service']);
    expect(exprs.length).toBeGreaterThan(30);
    for (const e of exprs) expect(e.uid, `${e.dashboard} / ${e.panel}`).toBe('ecom-prometheus');
  });

  it('every panel query names only metrics the code exports (or prom-client process metrics)', async () => {
    const declared = declaredMetrics();
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const defaults = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const exists = (name: string) => {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return declared.has(name) || declared.has(base) || defaults.has(name) || defaults.has(base);
    };
    const missing: string[] = [];
    for (const e of exprs) {
      // ecom_service and ecom_instance are the labels every process adds (platform/metrics.ts).
      const named = [...e.expr.matchAll(/\b(?:ecom|process|nodejs)_[a-z0-9_]+/g)]
        .map((m) => m[0])
        .filter((n) => n !== 'ecom_service' && n !== 'ecom_instance');
      expect(named.length, `${e.panel}: ${e.expr}`).toBeGreaterThan(0);
      for (const n of named) if (!exists(n)) missing.push(`${e.dashboard} / ${e.panel}: ${n}`);
    }
    expect(missing).toEqual([]);
    // The ones the observability issue asks for are on the overview.
    const overview = exprs.filter((e) => e.dashboard === 'ecom-overview.json').map((e) => e.expr).join('\n');
    for (const m of [
      'ecom_rpc_server_duration_seconds_bucket',
      'ecom_breaker_state',
      'ecom_pool_in_use',
      'ecom_inventory_lock_wait_seconds_bucket',
      'ecom_mysql_replica_lag_seconds',
      'ecom_rate_limit_rejections_total',
    ]) {
      expect(overview).toContain(m);
    }
  });

  it('every query is valid PromQL (promtool check rules; Grafana variables substituted)', async () => {
    const rules = {
      groups: [
        {
          name: 'grafana-dashboards',
          rules: exprs.map((e, i) => ({
            record: `ecom:dashboard_check:${i}`,
            expr: e.expr.replaceAll('$__rate_interval', '1m').replaceAll('$service', 'orders'),
          })),
        },
      ],
    };
    const file = join(tmp, 'rules.yml');
    writeFileSync(file, stringify(rules));
    const { stdout } = await run(requireExecutable('promtool', 'prometheus'), ['check', 'rules', file]);
    expect(stdout).toMatch(new RegExp(`SUCCESS: ${exprs.length} rules found`));
  });
});
