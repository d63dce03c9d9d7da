import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { StackState } from '../../stack/types.js';

/** Integration-test helpers shared by the payments test files (not used by the service). */

/** The status code a call failed with (or OK), its details and its payment-outcome trailer. */
export async function outcome(
  p: Promise<unknown>,
): Promise<{ code: string; details: string; paymentOutcome?: string }> {
  try {
    await p;
    return { code: 'OK', details: '' };
  } catch (err) {
    const e = err as ServiceError;
    const trailer = e.metadata?.get('payment-outcome')[0];
    return {
      code: Status[e.code] ?? String(e.code),
      details: e.details,
      ...(trailer === undefined ? {} : { paymentOutcome: String(trailer) }),
    };
  }
}

/** The gateway's HTTP base URL and admin helpers for its behaviour knobs. */
export function gatewayAdmin(state: StackState, name = 'gateway-1') {
  const base = state.components.find((c) => c.name === name)!.metrics!.replace(/\/metrics$/, '');
  return {
    base,
    set: async (patch: unknown) => {
      const res = await fetch(`${base}/admin/behaviour`, { method: 'PUT', body: JSON.stringify(patch) });
      if (!res.ok) throw new Error(`PUT /admin/behaviour: ${res.status} ${await res.text()}`);
    },
    reset: () => fetch(`${base}/admin/behaviour`, { method: 'DELETE' }).then(() => undefined),
  };
}

/** Connections to the gateway ledger and the payments database on the primary. */
export async function databases(state: StackState): Promise<{
  ledger: Connection;
  payments: Connection;
  charges(key: string): Promise<RowDataPacket[]>;
  payment(key: string): Promise<RowDataPacket | undefined>;
  end(): Promise<void>;
}> {
  const opts = { ...state.infra.mysqlPrimary, ...state.mysql };
  const ledger = await createConnection({ ...opts, database: 'gateway' });
  const payments = await createConnection({ ...opts, database: 'payments' });
  return {
    ledger,
    payments,
    charges: async (key) =>
      (await ledger.query<RowDataPacket[]>('SELECT * FROM charges WHERE idempotency_key = ?', [key]))[0],
    payment: async (key) =>
      (
        await payments.query<RowDataPacket[]>('SELECT * FROM payments WHERE idempotency_key = ?', [key])
      )[0][0],
    end: async () => {
      await Promise.allSettled([ledger.end(), payments.end()]);
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then returns the last value). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The test-friendly settler and breaker timings of payments (serviceOverrides). abandonAfterMs
 * stays well above the longest lease a test's call takes (a 3 s deadline plus the 0.3 s margin), as
 * the defaults keep it (60 s against deadline + 2 s): a row the gateway has no record of is left
 * for a retry to re-send while the retry can still come, instead of the settler's first look after
 * the lease racing that retry to mark it FAILED.
 */
export const FAST_PAYMENTS = {
  payments: {
    settler: { intervalMs: 200, graceMs: 0, abandonAfterMs: 10_000, lookupTimeoutMs: 1_000 },
    leaseMarginMs: 300,
    breaker: { volumeThreshold: 5, resetTimeoutMs: 2_000 },
  },
};
