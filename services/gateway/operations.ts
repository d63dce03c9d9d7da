import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { GatewayError, invalidParam, keyReused, notFound } from './errors.js';
import type { ChargeRow, Ledger, RefundRow } from './ledger.js';

/** Body of `POST /v1/charges`. */
export const ChargeParams = z
  .object({
    amount_minor: z.number().int().min(1).max(1_000_000_000_000),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an upper-case ISO 4217 code'),
    /** Outcome hints: see TOKEN_HINTS in http.ts. */
    payment_token: z.string().regex(/^tok_[A-Za-z0-9_]{1,64}$/, 'tok_ followed by 1-64 letters, digits or _'),
    capture: z.boolean().default(true),
    metadata: z
      .record(z.string().min(1).max(40), z.string().max(500))
      .refine((m) => Object.keys(m).length <= 20, 'at most 20 keys')
      .default({}),
  })
  .strict();
export type ChargeParams = z.infer<typeof ChargeParams>;

/** Body of `POST /v1/charges/{id}/capture`. */
export const CaptureParams = z.object({ amount_minor: z.number().int().min(1).optional() }).strict();

/** Body of `POST /v1/refunds`; amount_minor defaults to what is left to refund. */
export const RefundParams = z
  .object({
    charge: z.string().min(1).max(32),
    amount_minor: z.number().int().min(1).max(1_000_000_000_000).optional(),
    reason: z.string().max(255).optional(),
  })
  .strict();
export type RefundParams = z.infer<typeof RefundParams>;

/** The caller went away before anything was recorded: the request is dropped unprocessed. */
export class ClientGone extends Error {}

/** A charge or refund and whether this request replayed an earlier one (same idempotency key). */
export interface Result<T> {
  value: T;
  replayed: boolean;
}

/**
 * The payment provider's operations over its ledger: idempotent charge creation (one charge per
 * key; the same key with other parameters is refused), capture, refunds (never more than
 * captured) and lookups. Injected faults are the HTTP layer's business, not this one's.
 */
export class Operations {
  constructor(
    private readonly ledger: Ledger,
    private readonly newId: (prefix: string) => string = (p) => `${p}_${randomBytes(12).toString('hex')}`,
  ) {}

  /** Creates (or replays) a charge; `decline` decides a fresh charge's fate. */
  async createCharge(
    key: string,
    params: ChargeParams,
    opts: { decline: boolean; stillWanted: () => boolean },
  ): Promise<Result<ChargeRow>> {
    const hash = requestHash(params);
    if (!opts.stillWanted()) throw new ClientGone();
    const status = opts.decline ? 'declined' : params.capture ? 'captured' : 'authorized';
    const row: ChargeRow = {
      chargeId: this.newId('ch'),
      idempotencyKey: key,
      requestHash: hash,
      orderId: params.metadata.order_id ?? null,
      userId: params.metadata.user_id ?? null,
      amountMinor: params.amount_minor,
      currency: params.currency,
      status,
      capturedMinor: status === 'captured' ? params.amount_minor : 0,
      refundedMinor: 0,
      failureCode: opts.decline ? 'card_declined' : null,
      metadata: params.metadata,
      createdAt: new Date(),
      capturedAt: status === 'captured' ? new Date() : null,
    };
    // Insert first (most keys are new); a taken key means a retry or a concurrent duplicate:
    // answer what was recorded under it.
    if (await this.ledger.insertCharge(row)) return { value: row, replayed: false };
    const existing = await this.ledger.chargeBy('idempotency_key', key);
    if (!existing) throw new Error(`charge with key ${key} vanished`);
    return replay(existing, hash, key);
  }

  async capture(chargeId: string, amountMinor: number | undefined): Promise<ChargeRow> {
    const charge = await this.getCharge(chargeId);
    if (charge.status === 'captured') return charge;
    if (charge.status === 'declined') {
      throw new GatewayError(
        400,
        'invalid_request_error',
        'charge_declined',
        'a declined charge cannot be captured',
      );
    }
    const amount = amountMinor ?? charge.amountMinor;
    if (amount > charge.amountMinor) throw invalidParam('amount_minor', 'more than the authorized amount');
    await this.ledger.capture(chargeId, amount);
    return this.getCharge(chargeId);
  }

  /** Refunds (part of) a captured charge; never more than captured minus refunded. */
  async refund(
    key: string,
    params: RefundParams,
    opts: { stillWanted: () => boolean },
  ): Promise<Result<RefundRow>> {
    const hash = requestHash(params);
    const existing = await this.ledger.refundBy('idempotency_key', key);
    if (existing) return replay(existing, hash, key);
    if (!opts.stillWanted()) throw new ClientGone();
    try {
      return await this.ledger.withLockedCharge(params.charge, async (charge, tx) => {
        if (!charge) throw notFound(`charge ${params.charge}`);
        if (charge.status !== 'captured') {
          throw new GatewayError(
            400,
            'invalid_request_error',
            'charge_not_captured',
            'only captured charges can be refunded',
          );
        }
        const remaining = charge.capturedMinor - charge.refundedMinor;
        if (remaining === 0) {
          throw new GatewayError(
            400,
            'invalid_request_error',
            'charge_already_refunded',
            'nothing left to refund',
          );
        }
        const amount = params.amount_minor ?? remaining;
        if (amount > remaining) {
          throw new GatewayError(
            400,
            'invalid_request_error',
            'amount_too_large',
            `amount_minor: only ${remaining} left to refund`,
            {
              param: 'amount_minor',
            },
          );
        }
        const row: RefundRow = {
          refundId: this.newId('re'),
          idempotencyKey: key,
          requestHash: hash,
          chargeId: charge.chargeId,
          orderId: charge.orderId,
          amountMinor: amount,
          currency: charge.currency,
          reason: params.reason ?? null,
          createdAt: new Date(),
        };
        await tx.addRefund(row);
        return { value: row, replayed: false };
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err;
      const winner = await this.ledger.refundBy('idempotency_key', key);
      if (!winner) throw err;
      return replay(winner, hash, key);
    }
  }

  async getCharge(chargeId: string): Promise<ChargeRow> {
    const charge = await this.ledger.chargeBy('charge_id', chargeId);
    if (!charge) throw notFound(`charge ${chargeId}`);
    return charge;
  }

  async findCharges(query: { idempotencyKey?: string; orderId?: string }): Promise<ChargeRow[]> {
    if (query.idempotencyKey !== undefined) {
      const c = await this.ledger.chargeBy('idempotency_key', query.idempotencyKey);
      return c ? [c] : [];
    }
    if (query.orderId !== undefined) return this.ledger.chargesByOrder(query.orderId);
    throw invalidParam('idempotency_key', 'give idempotency_key or order_id');
  }

  async getRefund(refundId: string): Promise<RefundRow> {
    const refund = await this.ledger.refundBy('refund_id', refundId);
    if (!refund) throw notFound(`refund ${refundId}`);
    return refund;
  }

  async findRefunds(idempotencyKey: string): Promise<RefundRow[]> {
    const r = await this.ledger.refundBy('idempotency_key', idempotencyKey);
    return r ? [r] : [];
  }
}

/** sha256 of the parameters in a canonical form (sorted keys), to spot a reused key. */
export function requestHash(params: object): string {
  return createHash('sha256').update(canonicalJson(params)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

function replay<T extends { requestHash: string }>(row: T, hash: string, key: string): Result<T> {
  if (row.requestHash !== hash) throw keyReused(key);
  return { value: row, replayed: true };
}
