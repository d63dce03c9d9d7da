import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const canonical = readFileSync(join(import.meta.dirname, 'outbox.sql'), 'utf8');

describe('outbox migrations', () => {
  it('every publishing service creates the outbox table exactly as platform/outbox/outbox.sql says', () => {
    const copies = readdirSync(join(root, 'services')).flatMap((service) => {
      const dir = join(root, 'services', service, 'migrations');
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((f) => /_outbox\.sql$/.test(f));
      } catch {
        return [];
      }
      return files.map((f) => ({ service, text: readFileSync(join(dir, f), 'utf8') }));
    });
    expect(copies.map((c) => c.service)).toEqual(expect.arrayContaining(['inventory', 'orders', 'payments']));
    for (const c of copies) expect(c.text, c.service).toBe(canonical);
  });
});
