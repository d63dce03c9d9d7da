import { setTimeout as sleep } from 'node:timers/promises';
import type { CallContext } from '../../platform/grpc/context.js';
import { outcomeUnknown } from './unavailable.js';

/** What {@link resumePending} needs to know about one kind of PENDING row (payment or refund). */
export interface PendingOps<R, T> {
  isPending(row: R): boolean;
  /** The answer for a row that is no longer PENDING (or a thrown error replaying its failure). */
  finished(row: R): Promise<T>;
  /** Asks the gateway; settles and returns the row when the gateway knows the outcome. */
  askGateway(row: R): Promise<R | undefined>;
  takeLease(row: R, owner: string, ms: number): Promise<boolean>;
  /** Drives the row under our lease: re-sends the same idempotent request. */
  drive(row: R, owner: string): Promise<T>;
  reload(row: R): Promise<R | undefined>;
  newOwner(): string;
  /** Said when the deadline comes while another call still drives the row. */
  busyMessage(row: R): string;
}

/**
 * A call met an existing row for its idempotency key. Finished: replay it. PENDING: first ask the
 * gateway (settle-on-retry); if the gateway does not know, take over the row when its lease is
 * free (re-sending the same key is safe), else wait for whoever holds it, polling until our
 * deadline. Resolves undefined when the row vanished (its intent was withdrawn: start afresh).
 */
export async function resumePending<R, T>(
  first: R,
  ops: PendingOps<R, T>,
  ctx: CallContext,
  opts: { pollMs: number; answerMarginMs: number; leaseMarginMs: number },
): Promise<T | undefined> {
  let row: R | undefined = first;
  let asked = false;
  while (row) {
    if (!ops.isPending(row)) return ops.finished(row);
    if (!asked) {
      asked = true;
      const settled = await ops.askGateway(row);
      if (settled) {
        row = settled;
        continue;
      }
    }
    const owner = ops.newOwner();
    if (await ops.takeLease(row, owner, ctx.remainingMs() + opts.leaseMarginMs)) return ops.drive(row, owner);
    if (ctx.remainingMs() < opts.pollMs + opts.answerMarginMs) throw outcomeUnknown(ops.busyMessage(row));
    await sleep(opts.pollMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) throw outcomeUnknown(ops.busyMessage(row));
    row = await ops.reload(row);
  }
  return undefined;
}
