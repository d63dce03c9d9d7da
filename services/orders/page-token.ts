import { createHash } from 'node:crypto';
import { InvalidArgument } from '../../platform/errors.js';

/** Where a page of ListOrders ends: the last order's (created_at, order_id). */
export interface Cursor {
  /** created_at with microseconds, "YYYY-MM-DD HH:MM:SS.ffffff". */
  createdKey: string;
  orderId: string;
}

const CREATED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const ORDER_ID = /^[0-9a-f-]{36}$/;
const FIELD = 'page.page_token';

/** A short hash of the query a token belongs to, so a token cannot be replayed on another query. */
function scopeOf(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 12);
}

/** Encodes a keyset cursor as an opaque token bound to the query (`scope`: user and filter). */
export function encodePageToken(cursor: Cursor, scope: string): string {
  return Buffer.from(JSON.stringify([cursor.createdKey, cursor.orderId, scopeOf(scope)])).toString(
    'base64url',
  );
}

/** Decodes a token from {@link encodePageToken}; anything else is INVALID_ARGUMENT on page.page_token. */
export function decodePageToken(token: string, scope: string): Cursor {
  if (token.length > 200) throw new InvalidArgument(FIELD, 'not a token from a previous page');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgument(FIELD, 'not a token from a previous page');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    !CREATED.test(parsed[0]) ||
    !ORDER_ID.test(parsed[1])
  ) {
    throw new InvalidArgument(FIELD, 'not a token from a previous page');
  }
  if (parsed[2] !== scopeOf(scope)) throw new InvalidArgument(FIELD, 'belongs to another query');
  return { createdKey: parsed[0], orderId: parsed[1] };
}
