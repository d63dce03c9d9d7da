import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ComponentState } from '../types.js';

/** Where `ecom up` writes the scrape config of a stack: `<dir>/prometheus/prometheus.yml`. */
export function prometheusConfigPath(dir: string): string {
  return join(dir, 'prometheus', 'prometheus.yml');
}

/** host:port and path of a metrics URL. */
function target(url: string): { address: string; path: string } {
  const u = new URL(url);
  return { address: u.host, path: u.pathname || '/metrics' };
}

/**
 * A Prometheus config scraping every component of the stack that serves /metrics: one job per
 * service ("ecom-orders", …), one target per instance (labelled with its component name), plus
 * Prometheus itself when it runs as part of the stack.
 */
export function prometheusConfig(
  components: Pick<ComponentState, 'name' | 'kind' | 'metrics' | 'service'>[],
  opts: { scrapeIntervalSeconds?: number; self?: string } = {},
): string {
  const interval = `${opts.scrapeIntervalSeconds ?? 5}s`;
  const jobs = new Map<string, { targets: string[]; labels: { component: string } }[]>();
  for (const c of components) {
    if (!c.metrics) continue;
    const job = `ecom-${c.service ?? c.kind}`;
    const t = target(c.metrics);
    if (t.path !== '/metrics') throw new Error(`${c.name}: metrics path ${t.path} is not /metrics`);
    const list = jobs.get(job) ?? [];
    list.push({ targets: [t.address], labels: { component: c.name } });
    jobs.set(job, list);
  }
  const scrape_configs = [...jobs].map(([job_name, static_configs]) => ({
    job_name,
    scrape_interval: interval,
    scrape_timeout: '4s',
    metrics_path: '/metrics',
    static_configs,
  }));
  if (opts.self) {
    scrape_configs.push({
      job_name: 'prometheus',
      scrape_interval: interval,
      scrape_timeout: '4s',
      metrics_path: '/metrics',
      static_configs: [{ targets: [opts.self], labels: { component: 'prometheus' } }],
    });
  }
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval, external_labels: { stack: 'ecom' } },
    scrape_configs,
  });
}

/** Writes the scrape config of a running stack; returns its path. */
export function writePrometheusConfig(
  dir: string,
  components: Parameters<typeof prometheusConfig>[0],
  opts: Parameters<typeof prometheusConfig>[1] = {},
): string {
  const file = prometheusConfigPath(dir);
  mkdirSync(join(dir, 'prometheus'), { recursive: true });
  writeFileSync(file, prometheusConfig(components, opts));
  return file;
}
