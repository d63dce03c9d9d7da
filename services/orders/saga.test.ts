import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, decide, isTerminal, type Action, type Outcome, type SagaState } from './saga.js';

const created: SagaState = {
  status: 'PENDING',
  step: 'created',
  reason: null,
  detail: null,
  todo: null,
  cancelRequested: false,
  paymentId: null,
};
const opts = { restockOnCancel: true };

/** Runs the machine, answering each action with `answer`; returns the actions taken and the end state. */
function run(
  start: SagaState,
  answer: (a: Action, i: number) => Outcome | undefined,
  cancelAt = -1,
): { actions: string[]; outcomes: string[]; end: SagaState } {
  let s = start;
  const actions: string[] = [];
  const outcomes: string[] = [];
  for (let i = 0; i < 20; i++) {
    if (i === cancelAt) s = { ...s, cancelRequested: true };
    const a = decide(s, opts);
    if (a.kind === 'none') return { actions, outcomes, end: s };
    actions.push(a.kind);
    const outcome = answer(a, i);
    outcomes.push(`${a.kind}:${outcome?.kind ?? '-'}`);
    s = apply(s, a, outcome).next;
  }
  throw new Error(`no terminal state after 20 steps: ${actions.join(' ')}`);
}

const happy = (a: Action): Outcome | undefined =>
  ({
    reserve: { kind: 'reserved' } as const,
    charge: { kind: 'captured', paymentId: 'pay_1' } as const,
    commit: { kind: 'committed' } as const,
    refund: { kind: 'done' } as const,
    release: { kind: 'done' } as const,
    restock: { kind: 'done' } as const,
  })[a.kind as 'reserve'];

describe('order saga', () => {
  it('confirms after reserve, charge and commit', () => {
    const { actions, end } = run(created, happy);
    expect(actions).toEqual(['reserve', 'charge', 'commit']);
    expect(end).toMatchObject({ status: 'CONFIRMED', step: 'confirmed', paymentId: 'pay_1' });
  });

  it('rejects out of stock without compensating anything', () => {
    const { actions, end } = run(created, (a) =>
      a.kind === 'reserve' ? { kind: 'out-of-stock', detail: 'sku-1: 0 of 2' } : happy(a),
    );
    expect(actions).toEqual(['reserve']);
    expect(end).toMatchObject({ status: 'REJECTED', reason: 'OUT_OF_STOCK', step: 'rejected' });
  });

  it('releases the reservation when the payment is declined', () => {
    const { actions, end } = run(created, (a) =>
      a.kind === 'charge' ? { kind: 'declined', detail: 'card_declined' } : happy(a),
    );
    expect(actions).toEqual(['reserve', 'charge', 'release']);
    expect(end).toMatchObject({ status: 'REJECTED', reason: 'PAYMENT_DECLINED', todo: null });
  });

  it('settles a maybe-charge and releases when payments stays unavailable', () => {
    const { actions, end } = run(created, (a) =>
      a.kind === 'charge' ? { kind: 'gave-up', detail: 'payments unavailable' } : happy(a),
    );
    expect(actions).toEqual(['reserve', 'charge', 'refund', 'release']);
    expect(end).toMatchObject({ status: 'REJECTED', reason: 'PAYMENTS_UNAVAILABLE' });
  });

  it('refunds and releases when the reservation expired before commit', () => {
    const { actions, end } = run(created, (a) =>
      a.kind === 'commit' ? { kind: 'not-held', detail: 'EXPIRED' } : happy(a),
    );
    expect(actions).toEqual(['reserve', 'charge', 'commit', 'refund', 'release']);
    expect(end).toMatchObject({ status: 'REJECTED', reason: 'TIMEOUT' });
  });

  it('cancels a PENDING order before the charge: settles and releases', () => {
    const { actions, end } = run(created, happy, 1);
    expect(actions).toEqual(['reserve', 'compensate', 'refund', 'release']);
    expect(end).toMatchObject({ status: 'CANCELLED', reason: null });
  });

  it('confirms a charged order first, then cancels it: refund and restock', () => {
    const { actions, end } = run(created, happy, 2);
    expect(actions).toEqual(['reserve', 'charge', 'commit', 'compensate', 'refund', 'restock']);
    expect(end).toMatchObject({ status: 'CANCELLED', step: 'cancelled' });
  });

  it('does nothing for terminal orders', () => {
    for (const status of ['REJECTED', 'CANCELLED'] as const) {
      expect(decide({ ...created, status, cancelRequested: true }, opts)).toEqual({ kind: 'none' });
    }
    expect(decide({ ...created, status: 'CONFIRMED', step: 'confirmed' }, opts)).toEqual({ kind: 'none' });
    expect(isTerminal({ status: 'CONFIRMED', cancelRequested: true, todo: null })).toBe(false);
  });

  it('refuses an outcome that does not fit the action', () => {
    expect(() => apply(created, { kind: 'reserve' }, { kind: 'committed' })).toThrow(/does not fit/);
  });

  it('always ends terminal, never leaves money or stock behind (any outcomes, any cancel)', () => {
    const outcomes: Record<string, Outcome[]> = {
      reserve: [
        { kind: 'reserved' },
        { kind: 'out-of-stock', detail: 'x' },
        { kind: 'gave-up', detail: 'x' },
      ],
      charge: [
        { kind: 'captured', paymentId: 'p' },
        { kind: 'declined', detail: 'x' },
        { kind: 'payment-failed', detail: 'x' },
        { kind: 'gave-up', detail: 'x' },
      ],
      commit: [{ kind: 'committed' }, { kind: 'not-held', detail: 'x' }, { kind: 'gave-up', detail: 'x' }],
      refund: [{ kind: 'done' }],
      release: [{ kind: 'done' }],
      restock: [{ kind: 'done' }],
    };
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: -1, max: 6 }),
        (picks, cancelAt) => {
          const {
            actions,
            outcomes: seen,
            end,
          } = run(
            created,
            (a, i) => {
              const options = outcomes[a.kind];
              return options ? options[picks[i]! % options.length] : undefined;
            },
            cancelAt,
          );
          expect(isTerminal(end)).toBe(true);
          if (end.status === 'CONFIRMED') {
            expect(seen.slice(0, 3)).toEqual(['reserve:reserved', 'charge:captured', 'commit:committed']);
            return;
          }
          const after = (marker: string) => actions.slice(seen.indexOf(marker) + 1);
          // Money: a charge that may have been captured is settled (refunded if it was).
          for (const maybe of ['charge:captured', 'charge:gave-up']) {
            if (seen.includes(maybe)) expect(after(maybe)).toContain('refund');
          }
          // Stock: a reservation that may be held is released; a committed one is restocked.
          if (seen.includes('commit:committed')) expect(after('commit:committed')).toContain('restock');
          else if (seen.some((o) => o === 'reserve:reserved' || o === 'reserve:gave-up')) {
            expect(actions).toContain('release');
          }
          if (seen.includes('reserve:out-of-stock')) expect(actions).toEqual(['reserve']);
        },
      ),
    );
  });
});
