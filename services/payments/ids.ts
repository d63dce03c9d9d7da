import { createHash, randomUUID } from 'node:crypto';

/** A new id with a type prefix, e.g. "pay_3f2a…" (36 characters). */
export function newId(prefix: 'pay' | 'ref'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}

/** A lease owner: the instance and one call of it. */
export function newOwner(instanceName: string): string {
  return `${instanceName}/${randomUUID().slice(0, 8)}`;
}

/** sha256 over the parts (JSON-encoded, so no separator can be forged). */
export function hashOf(parts: (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
