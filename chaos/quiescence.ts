import type { Pool, RowDataPacket } from 'mysql2/promise';

/** What is still in flight after the load stopped. */
export interface InFlight {
  pendingOrders: number;
  pendingPayments: number;
  pendingRefunds: number;
}

async function inFlight(primary: Pool): Promise<InFlight> {
  const [[o], [p], [r]] = await Promise.all([
    primary.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM orders.orders WHERE status = 'PENDING'"),
    primary.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM payments.payments WHERE status = 'PENDING'"),
    primary.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM payments.refunds WHERE status = 'PENDING'"),
  ]);
  return {
    pendingOrders: Number(o[0]?.n),
    pendingPayments: Number(p[0]?.n),
    pendingRefunds: Number(r[0]?.n),
  };
}

/**
 * Waits until the system is quiet after load and faults stopped: no order, payment or refund
 * still PENDING (sagas finished or recovered, unknown outcomes settled). Bounded: returns what
 * is still in flight when the time is up (the convergence checker then reports it).
 */
export async function waitForQuiescence(
  primary: Pool,
  o: { timeoutMs: number; signal?: AbortSignal; onPoll?: (s: InFlight) => void },
): Promise<{ quiet: boolean; waitedMs: number; last: InFlight }> {
  const t0 = Date.now();
  for (;;) {
    const last = await inFlight(primary);
    o.onPoll?.(last);
    const quiet = last.pendingOrders + last.pendingPayments + last.pendingRefunds === 0;
    if (quiet || Date.now() - t0 >= o.timeoutMs || o.signal?.aborted)
      return { quiet, waitedMs: Date.now() - t0, last };
    await new Promise((r) => setTimeout(r, 500));
  }
}
