import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { Aborted } from '../../platform/errors.js';
import type { Stmt } from './batch-sql.js';

/**
 * The fencing protocol of the `zk+db` and `zk` lock strategies.
 *
 * A batch holds a ZooKeeper lock per SKU; each lock's fencing token is its node's czxid, larger for
 * every later holder. ZooKeeper alone cannot stop a holder that lost its session without knowing
 * it (process paused, link black-holed: see RUNBOOK) from writing after a newer holder took over.
 * The database does, with one row per SKU in `fences(sku, token)`:
 *
 * 1. The batch's transaction starts with ONE statement that claims every SKU it touches (in the
 *    same round trip as START TRANSACTION and the batch's reads):
 *        UPDATE fences SET token = <mine> WHERE sku = ? AND token <= <mine>   (all SKUs at once)
 *    If it matches fewer rows than SKUs, some newer holder has already claimed one of them: this
 *    batch is stale, it rolls back and fails (ABORTED, "fenced"); nothing of it is written.
 * 2. The claim leaves an exclusive row lock on each fence row until COMMIT. Every stock write of
 *    the batch happens inside that same transaction, after the claim.
 *
 * Why this is enough, for any interleaving of a stale holder S (token s) and the new holder N
 * (token n > s) on one SKU:
 * - S claims before N: S's transaction holds the fence row; N's claim waits until S commits, and
 *   only then does N read the stock, so N sees S's write. No lost update.
 * - N claims first: the fence holds n > s, so S's claim matches nothing and S writes nothing —
 *   whether S comes while N is still working (it waits for N's row lock, then sees n) or later.
 * There is no window "between N's read and N's write" for S to land in, because N reads and writes
 * while holding the fence row, and S cannot write without first taking that same row. This is the
 * "bump the fence before reading, and make every write conditional on it" cure, with the condition
 * checked once per SKU per batch and held by the row lock rather than re-checked per write.
 *
 * Under `zk` the stock rows themselves are read without locks (read-check-write): the ZooKeeper
 * lock serialises holders and the fence refuses stale ones. Under `zk+db` the stock rows are also
 * locked FOR UPDATE as the final guard. `db` and `none` do not use fences.
 */
export class Fenced extends Aborted {
  constructor(readonly stale: { sku: string; fence: string }[]) {
    super(
      `fenced: a newer lock holder has written ${stale.map((s) => s.sku).join(', ')}; ` +
        'this request was not applied, retry',
    );
  }
}

/**
 * Step 1 of the protocol as statements for the batch's first round trip: the claim, then the
 * current fence of each SKU (which names the newer holder when the claim fell short).
 */
export function fenceClaim(tokens: ReadonlyMap<string, bigint>): Stmt[] {
  const entries = [...tokens.entries()];
  const pairs = entries.flatMap(([sku, t]) => [sku, t.toString()]);
  return [
    {
      sql: `UPDATE fences SET token = CASE sku ${entries.map(() => 'WHEN ? THEN ?').join(' ')} END
             WHERE ${entries.map(() => '(sku = ? AND token <= ?)').join(' OR ')}`,
      params: [...pairs, ...pairs],
    },
    { sql: 'SELECT sku, token FROM fences WHERE sku IN (?)', params: [entries.map(([sku]) => sku)] },
  ];
}

/** Checks the results of {@link fenceClaim}; throws {@link Fenced} unless every SKU was claimed. */
export function checkFenceClaim(tokens: ReadonlyMap<string, bigint>, claim: unknown, current: unknown): void {
  // mysql2 connects with FOUND_ROWS, so affectedRows counts matched rows, changed or not.
  if ((claim as ResultSetHeader).affectedRows === tokens.size) return;
  const fences = new Map(
    (current as RowDataPacket[]).map((r) => [r.sku as string, BigInt(r.token as string | number)]),
  );
  const stale = [...tokens.entries()]
    .filter(([sku, t]) => !fences.has(sku) || fences.get(sku)! > t)
    .map(([sku]) => ({ sku, fence: String(fences.get(sku) ?? 'missing') }));
  throw new Fenced(stale);
}
