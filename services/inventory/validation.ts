import { InvalidArgument } from '../../platform/errors.js';

/** Longest id (order, SKU, warehouse, idempotency key). */
export const MAX_ID_LENGTH = 64;
/** Characters an id may hold. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
/** Most lines in one Reserve. */
export const MAX_LINES = 50;
/** Most units of one order line. */
export const MAX_LINE_QUANTITY = 10_000;
/** Most units one Restock / Transfer moves, and the largest |delta| of one Adjust. */
export const MAX_STOCK_QUANTITY = 1_000_000;
/** Longest reservation TTL a request may ask for (a day). */
export const MAX_TTL_SECONDS = 86_400;
/** Longest free-text reason / name. */
export const MAX_REASON_LENGTH = 200;
export const MAX_NAME_LENGTH = 255;
/** Most SKUs or warehouses in one catalogue call. */
export const MAX_CATALOGUE_BATCH = 1_000;
/** Page size bounds of ListStock (0 means the default). */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1_000;

/** A required id: non-empty, ≤ 64 characters of [A-Za-z0-9._:-]. */
export function requireId(value: string, field: string): string {
  if (value === '') throw new InvalidArgument(field, 'is required');
  return checkId(value, field);
}

/** An optional id: empty, or a valid id. */
export function optionalId(value: string, field: string): string {
  return value === '' ? '' : checkId(value, field);
}

function checkId(value: string, field: string): string {
  if (value.length > MAX_ID_LENGTH) {
    throw new InvalidArgument(field, `is ${value.length} characters long; at most ${MAX_ID_LENGTH} allowed`);
  }
  if (!ID_PATTERN.test(value)) throw new InvalidArgument(field, 'may only hold letters, digits and ._:-');
  return value;
}

/** An integer in [min, max]. */
export function requireInt(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgument(field, `must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** Free text bounded in length. */
export function boundedText(value: string, field: string, max = MAX_REASON_LENGTH): string {
  if (value.length > max) throw new InvalidArgument(field, `is longer than ${max} characters`);
  return value;
}

/** A validated order line. */
export interface ValidLine {
  sku: string;
  quantity: number;
}

/** Lines of a Reserve: 1..50, SKUs valid and distinct, quantities 1..10,000. */
export function validateLines(lines: { sku: string; quantity: number }[], field = 'lines'): ValidLine[] {
  if (lines.length === 0) throw new InvalidArgument(field, 'at least one line is required');
  if (lines.length > MAX_LINES) {
    throw new InvalidArgument(field, `has ${lines.length} lines; at most ${MAX_LINES} allowed`);
  }
  const seen = new Set<string>();
  return lines.map((line, i) => {
    const sku = requireId(line.sku, `${field}[${i}].sku`);
    if (seen.has(sku)) throw new InvalidArgument(`${field}[${i}].sku`, `duplicate SKU ${sku} in one request`);
    seen.add(sku);
    const quantity = requireInt(line.quantity, `${field}[${i}].quantity`, 1, MAX_LINE_QUANTITY);
    return { sku, quantity };
  });
}

/** A request TTL: 0 (server default) up to a day. */
export function validateTtl(ttlSeconds: number, field = 'ttl_seconds'): number {
  return requireInt(ttlSeconds, field, 0, MAX_TTL_SECONDS);
}

/** Checks that a list of ids is not longer than a catalogue batch and has no duplicates. */
export function distinctIds(ids: string[], field: string): string[] {
  if (ids.length > MAX_CATALOGUE_BATCH) {
    throw new InvalidArgument(field, `has ${ids.length} entries; at most ${MAX_CATALOGUE_BATCH} allowed`);
  }
  const seen = new Set<string>();
  return ids.map((id, i) => {
    requireId(id, `${field}[${i}]`);
    if (seen.has(id)) throw new InvalidArgument(`${field}[${i}]`, `duplicate ${id}`);
    seen.add(id);
    return id;
  });
}
