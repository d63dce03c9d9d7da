import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ReserveOutcome, type ReserveRequest } from '../../proto/gen/ecom/inventory/v1/inventory.js';
import { InvalidArgument, UnavailableNothingDone } from '../../platform/errors.js';
import { createLogger } from '../../platform/logger.js';
import { MAX_RESERVE_MANY, reserveMany } from './reserve-many.js';

const req = (orderId: string): ReserveRequest => ({
  orderId,
  lines: [{ sku: 's', quantity: 1 }],
  ttlSeconds: 0,
});
const logged: string[] = [];
const logger = createLogger({ component: 'test', level: 'error' });
logger.error = ((obj: unknown, msg?: string) => void logged.push(msg ?? String(obj))) as typeof logger.error;

describe('reserveMany', () => {
  it('answers each request as its own Reserve would: response, or its status, message and trailers', async () => {
    const res = await reserveMany(
      [req('ok'), req('bad'), req('busy'), req('bug')],
      async (r) => {
        if (r.orderId === 'bad') throw new InvalidArgument('order_id', 'is wrong');
        if (r.orderId === 'busy') throw new UnavailableNothingDone('breaker open');
        if (r.orderId === 'bug') throw new Error('ER_PARSE_ERROR near SELECT secret');
        return { outcome: ReserveOutcome.RESERVE_OUTCOME_RESERVED, reservation: undefined, shortages: [] };
      },
      logger,
    );
    expect(res.results.map((r) => r.result)).toEqual([
      {
        $case: 'response',
        value: { outcome: ReserveOutcome.RESERVE_OUTCOME_RESERVED, reservation: undefined, shortages: [] },
      },
      {
        $case: 'error',
        value: {
          code: Status.INVALID_ARGUMENT,
          message: 'order_id: is wrong',
          trailers: { field: 'order_id' },
        },
      },
      {
        $case: 'error',
        value: { code: Status.UNAVAILABLE, message: 'breaker open', trailers: { 'ecom-outcome': 'none' } },
      },
      // An unexpected failure is logged, never sent (it may carry SQL or secrets).
      { $case: 'error', value: { code: Status.INTERNAL, message: 'internal error', trailers: {} } },
    ]);
    expect(logged).toEqual(['unexpected failure of one ReserveMany request']);
  });

  it('turns a synchronous throw into that request’s error, not the call’s', async () => {
    const res = await reserveMany(
      [req('a'), req('b')],
      (r) => {
        if (r.orderId === 'a') throw new InvalidArgument('lines', 'at least one');
        return Promise.resolve({
          outcome: ReserveOutcome.RESERVE_OUTCOME_OUT_OF_STOCK,
          reservation: undefined,
          shortages: [],
        });
      },
      logger,
    );
    expect(res.results.map((r) => r.result?.$case)).toEqual(['error', 'response']);
  });

  it('refuses an empty call and one over the limit as a whole, INVALID_ARGUMENT on requests', async () => {
    const never = () => Promise.reject(new Error('must not be called'));
    for (const n of [0, MAX_RESERVE_MANY + 1]) {
      const requests = Array.from({ length: n }, (_, i) => req(`o${i}`));
      await expect(reserveMany(requests, never, logger)).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
        field: 'requests',
      });
    }
  });
});
