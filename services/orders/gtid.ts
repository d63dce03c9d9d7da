import { InvalidArgument } from '../../platform/errors.js';
import type { Pool } from '../../platform/mysql.js';

/** The metadata key (request) and trailer key (response) carrying a write's GTID. */
export const GTID_KEY = 'x-ecom-gtid';

/** MariaDB GTIDs: "domain-server-sequence", several comma-separated (one per domain). */
const GTID_LIST = /^\d{1,10}-\d{1,10}-\d{1,20}(,\d{1,10}-\d{1,10}-\d{1,20}){0,15}$/;

/**
 * Makes every connection of `pool` report the GTID of each transaction it commits in the OK
 * packet (session state tracking), so a write's GTID costs no extra query.
 */
export function trackGtids(pool: Pool): void {
  pool.pool.on('connection', (conn) => {
    conn.query("SET SESSION session_track_system_variables='last_gtid'");
  });
}

interface StateChanges {
  systemVariables?: Record<string, string>;
  gtids?: string[];
}

/** The GTID a write's OK packet reported (needs {@link trackGtids}); undefined if none. */
export function gtidOf(result: unknown): string | undefined {
  const changes = (result as { stateChanges?: StateChanges } | null)?.stateChanges;
  const gtid = changes?.systemVariables?.last_gtid ?? changes?.gtids?.[0];
  return gtid && GTID_LIST.test(gtid) ? gtid : undefined;
}

/** Validates a GTID a client sent back in metadata; bad ones are INVALID_ARGUMENT. */
export function parseGtid(value: string): string {
  if (!GTID_LIST.test(value)) throw new InvalidArgument(GTID_KEY, 'must be a GTID like "0-1-42"');
  return value;
}

/** The later of two GTIDs of one primary (same domain and server: compares the sequence). */
export function laterGtid(a: string | undefined, b: string | undefined): string | undefined {
  if (!a || !b) return a ?? b;
  const seq = (g: string) => BigInt(g.split(',')[0]!.split('-')[2]!);
  return seq(b) > seq(a) ? b : a;
}
