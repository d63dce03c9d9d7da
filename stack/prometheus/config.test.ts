import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireExecutable } from '../which.js';
import { prometheusConfig, prometheusConfigPath, writePrometheusConfig } from './config.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ecom-prom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const components = [
  { name: 'mysql-primary', kind: 'mysql' as const },
  {
    name: 'orders-1',
    kind: 'service' as const,
    service: 'orders' as const,
    metrics: 'http://127.0.0.1:21001/metrics',
  },
  {
    name: 'orders-2',
    kind: 'service' as const,
    service: 'orders' as const,
    metrics: 'http://127.0.0.1:21003/metrics',
  },
  {
    name: 'analytics-1',
    kind: 'service' as const,
    service: 'analytics' as const,
    metrics: 'http://127.0.0.1:21005/metrics',
  },
];

describe('the Prometheus scrape config of a stack', () => {
  it('has one job per service and one target per instance, labelled with the component', () => {
    const doc = parse(prometheusConfig(components, { self: '127.0.0.1:29090' })) as {
      global: { scrape_interval: string };
      scrape_configs: {
        job_name: string;
        static_configs: { targets: string[]; labels: { component: string } }[];
      }[];
    };
    expect(doc.global.scrape_interval).toBe('5s');
    expect(doc.scrape_configs.map((j) => j.job_name)).toEqual([
      'ecom-orders',
      'ecom-analytics',
      'prometheus',
    ]);
    expect(doc.scrape_configs[0]!.static_configs).toEqual([
      { targets: ['127.0.0.1:21001'], labels: { component: 'orders-1' } },
      { targets: ['127.0.0.1:21003'], labels: { component: 'orders-2' } },
    ]);
  });

  it('passes `promtool check config` (Debian prometheus package; fails if it is missing)', async () => {
    const file = writePrometheusConfig(dir, components, { self: '127.0.0.1:29090' });
    expect(file).toBe(prometheusConfigPath(dir));
    expect(readFileSync(file, 'utf8')).toContain('ecom-orders');
    const { stdout } = await run(requireExecutable('promtool', 'prometheus'), ['check', 'config', file]);
    expect(stdout).toMatch(/SUCCESS/);
  });
});
