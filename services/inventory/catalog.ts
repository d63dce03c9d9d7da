import type { Pool, RowDataPacket } from 'mysql2/promise';
import { InvalidArgument } from '../../platform/errors.js';

/** A SKU as stored. */
export interface SkuRecord {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
}

/** A warehouse as stored. */
export interface WarehouseRecord {
  warehouseId: string;
  name: string;
}

/**
 * The catalogue (SKUs and warehouses) on the primary, with a cache of ids known to exist: ids are
 * never deleted, so a positive answer never goes stale and request validation costs no query.
 */
export class Catalog {
  private readonly skus = new Set<string>();
  private readonly warehouses = new Set<string>();

  constructor(private readonly primary: Pool) {}

  /** Inserts or updates SKUs (and their fence rows). */
  async upsertSkus(skus: SkuRecord[]): Promise<number> {
    if (skus.length === 0) return 0;
    await this.primary.query(
      `INSERT INTO skus (sku, name, price_minor, currency) VALUES ?
       ON DUPLICATE KEY UPDATE name = VALUES(name), price_minor = VALUES(price_minor),
         currency = VALUES(currency), updated_at = UTC_TIMESTAMP(6)`,
      [skus.map((s) => [s.sku, s.name, s.priceMinor, s.currency])],
    );
    await this.primary.query('INSERT IGNORE INTO fences (sku) VALUES ?', [skus.map((s) => [s.sku])]);
    for (const s of skus) this.skus.add(s.sku);
    return skus.length;
  }

  async getSkus(ids: string[]): Promise<SkuRecord[]> {
    const [rows] = await this.primary.query<RowDataPacket[]>(
      `SELECT sku, name, price_minor, currency FROM skus ${ids.length ? 'WHERE sku IN (?)' : ''} ORDER BY sku LIMIT 1000`,
      ids.length ? [ids] : [],
    );
    return rows.map((r) => ({
      sku: r.sku as string,
      name: r.name as string,
      priceMinor: Number(r.price_minor),
      currency: r.currency as string,
    }));
  }

  async upsertWarehouses(warehouses: WarehouseRecord[]): Promise<number> {
    if (warehouses.length === 0) return 0;
    await this.primary.query(
      'INSERT INTO warehouses (warehouse_id, name) VALUES ? ON DUPLICATE KEY UPDATE name = VALUES(name)',
      [warehouses.map((w) => [w.warehouseId, w.name])],
    );
    for (const w of warehouses) this.warehouses.add(w.warehouseId);
    return warehouses.length;
  }

  /** Throws InvalidArgument naming the field of the first SKU that does not exist. */
  async requireSkus(skus: { sku: string; field: string }[]): Promise<void> {
    await this.require(skus, this.skus, 'SELECT sku AS id FROM skus WHERE sku IN (?)', 'SKU');
  }

  /** Throws InvalidArgument naming the field of the first warehouse that does not exist. */
  async requireWarehouses(ids: { id: string; field: string }[]): Promise<void> {
    await this.require(
      ids.map((i) => ({ sku: i.id, field: i.field })),
      this.warehouses,
      'SELECT warehouse_id AS id FROM warehouses WHERE warehouse_id IN (?)',
      'warehouse',
    );
  }

  private async require(
    wanted: { sku: string; field: string }[],
    known: Set<string>,
    sql: string,
    what: string,
  ): Promise<void> {
    const unknown = wanted.filter((w) => !known.has(w.sku));
    if (unknown.length === 0) return;
    const [rows] = await this.primary.query<RowDataPacket[]>(sql, [unknown.map((u) => u.sku)]);
    for (const r of rows) known.add(r.id as string);
    const missing = unknown.find((u) => !known.has(u.sku));
    if (missing) throw new InvalidArgument(missing.field, `unknown ${what} ${missing.sku}`);
  }
}
