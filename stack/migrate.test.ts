import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverMigrations, listMigrationFiles, pendingMigrations } from './migrate.js';

let dir: string;
const touch = (rel: string, content = ''): void => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), content);
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-migrate-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('discoverMigrations', () => {
  it('finds one set per service with a migrations folder, hyphens to underscores, sorted', () => {
    touch('services/orders/migrations/001_init.sql');
    touch('services/payment-gateway/migrations/001_init.sql');
    touch('services/inventory/migrations/.keep');
    touch('services/analytics/index.ts');
    touch('services/README.md');
    touch('services/users/migrations'); // a file, not a folder
    const sets = discoverMigrations(path.join(dir, 'services'));
    expect(sets).toEqual([
      { database: 'inventory', dir: path.join(dir, 'services/inventory/migrations') },
      { database: 'orders', dir: path.join(dir, 'services/orders/migrations') },
      { database: 'payment_gateway', dir: path.join(dir, 'services/payment-gateway/migrations') },
    ]);
  });

  it('throws for a missing services folder', () => {
    expect(() => discoverMigrations(path.join(dir, 'nope'))).toThrow(/ENOENT/);
  });
});

describe('listMigrationFiles', () => {
  it('lists only .sql files, in code-unit order', () => {
    for (const f of ['010_b.sql', '002_a.sql', '002_A.sql', 'README.md', '001_x.sql.bak', '100_z.sql'])
      touch(`m/${f}`);
    fs.mkdirSync(path.join(dir, 'm', '000_dir.sql'));
    expect(listMigrationFiles(path.join(dir, 'm'))).toEqual([
      '002_A.sql',
      '002_a.sql',
      '010_b.sql',
      '100_z.sql',
    ]);
  });
});

describe('pendingMigrations', () => {
  it('keeps the order and skips applied versions', () => {
    expect(pendingMigrations(['001.sql', '002.sql', '003.sql'], ['002.sql', 'gone.sql'])).toEqual([
      '001.sql',
      '003.sql',
    ]);
    expect(pendingMigrations([], [])).toEqual([]);
  });
});
