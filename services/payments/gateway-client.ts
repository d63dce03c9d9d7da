import { Gauge } from 'prom-client';
import type { Metrics } from '../../platform/metrics.js';
import { startHttpClientSpan } from '../../platform/tracing/http.js';
import { Pool } from 'undici';
import { z } from 'zod';
import { SIGNATURE_HEADER, signaturePayload } from './crypto-work.js';
import { GatewayFailure, type GatewayAnswer } from './gateway-failure.js';

/** A charge as the gateway reports it (the fields payments uses). */
export const GatewayCharge = z.object({
  id: z.string(),
  status: z.enum(['declined', 'authorized', 'captured']),
  amount_minor: z.number(),
  currency: z.string(),
  amount_refunded_minor: z.number(),
  failure_code: z.string().nullable(),
});
export type GatewayCharge = z.infer<typeof GatewayCharge>;

export const GatewayRefund = z.object({
  id: z.string(),
  charge: z.string(),
  amount_minor: z.number(),
  currency: z.string(),
});
export type GatewayRefund = z.infer<typeof GatewayRefund>;

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), charge: z.string().optional() }),
});

/** Errors that prove the request never left this process. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export interface GatewayClientOptions {
  urls: string[];
  connections: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
  /** Signs a payload (HMAC hex) when request signing is on. */
  sign?: (payload: string) => string;
  /** Pool gauges go to its registry (and the shared ecom_pool_size / ecom_pool_in_use). */
  metrics: Metrics;
}

/** Per-attempt options: the attempt's time limit and the caller's cancellation. */
export interface AttemptOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The gateway's HTTP API through undici Pools (one per gateway instance, keep-alive, round-robin).
 * Each method is one attempt: a definitive answer resolves (refusals included), anything that
 * leaves the outcome open throws a {@link GatewayFailure}. Retries are the caller's business.
 */
export class GatewayClient {
  private readonly pools: Pool[];
  private next = 0;

  constructor(private readonly opts: GatewayClientOptions) {
    this.pools = opts.urls.map(
      (url) =>
        new Pool(new URL(url).origin, {
          connections: opts.connections,
          keepAliveTimeout: opts.keepAliveTimeoutMs,
          connect: { timeout: opts.connectTimeoutMs },
        }),
    );
    const pools = this.pools.map((p, i) => ({ pool: p, origin: new URL(opts.urls[i]!).origin }));
    const m = opts.metrics;
    for (const { origin } of pools) m.poolSize.set({ pool: `gateway ${origin}` }, opts.connections);
    new Gauge({
      name: 'ecom_http_pool',
      help: 'undici Pool to the gateway: connected, free, pending, queued, running, size',
      labelNames: ['origin', 'stat'],
      registers: [m.registry],
      collect() {
        for (const { pool, origin } of pools) {
          const s = pool.stats;
          for (const stat of ['connected', 'free', 'pending', 'queued', 'running', 'size'] as const) {
            this.set({ origin, stat }, s[stat]);
          }
          m.poolInUse.set({ pool: `gateway ${origin}` }, s.connected - s.free);
        }
      },
    });
  }

  createCharge(
    key: string,
    p: { amountMinor: number; currency: string; paymentToken: string; orderId: string; userId: string },
    o: AttemptOptions,
  ): Promise<GatewayAnswer<GatewayCharge>> {
    const body = {
      amount_minor: p.amountMinor,
      currency: p.currency,
      payment_token: p.paymentToken,
      capture: true,
      metadata: { order_id: p.orderId, user_id: p.userId },
    };
    return this.send('POST', '/v1/charges', GatewayCharge, o, { key, body });
  }

  createRefund(
    key: string,
    p: { chargeId: string; amountMinor: number; reason: string | undefined },
    o: AttemptOptions,
  ): Promise<GatewayAnswer<GatewayRefund>> {
    const body = {
      charge: p.chargeId,
      amount_minor: p.amountMinor,
      ...(p.reason ? { reason: p.reason } : {}),
    };
    return this.send('POST', '/v1/refunds', GatewayRefund, o, { key, body });
  }

  /** The charge recorded under an idempotency key, or undefined when there is none. */
  async findChargeByKey(key: string, o: AttemptOptions): Promise<GatewayCharge | undefined> {
    return this.findOne(`/v1/charges?idempotency_key=${encodeURIComponent(key)}`, GatewayCharge, o);
  }

  async findRefundByKey(key: string, o: AttemptOptions): Promise<GatewayRefund | undefined> {
    return this.findOne(`/v1/refunds?idempotency_key=${encodeURIComponent(key)}`, GatewayRefund, o);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.pools.map((p) => p.close()));
  }

  private async findOne<T>(path: string, schema: z.ZodType<T>, o: AttemptOptions): Promise<T | undefined> {
    const answer = await this.send('GET', path, z.object({ data: z.array(schema) }), o);
    if (!answer.ok) {
      throw new GatewayFailure(
        'server_error',
        `lookup refused: ${answer.refusal.code}`,
        answer.refusal.status,
      );
    }
    return answer.value.data[0];
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    o: AttemptOptions,
    req: { key?: string; body?: unknown } = {},
  ): Promise<GatewayAnswer<T>> {
    const index = this.next++ % this.pools.length;
    const pool = this.pools[index]!;
    const body = req.body === undefined ? '' : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    // Trace context travels in traceparent (outside the signed payload).
    const span = startHttpClientSpan(method, path, this.opts.urls[index] ?? '');
    span.inject(headers);
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.key !== undefined) headers['idempotency-key'] = req.key;
    // One controller for the attempt's time limit and the caller's cancellation (AbortSignal.any
    // accumulates listeners on long-lived parents in Node 20).
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, o.timeoutMs);
    const cancel = () => attempt.abort();
    o.signal?.addEventListener('abort', cancel, { once: true });
    if (o.signal?.aborted) attempt.abort();
    const signal = attempt.signal;
    let status: number;
    let text: string;
    let replayed: boolean;
    try {
      if (this.opts.sign) {
        const t = Date.now();
        const mac = this.opts.sign(
          signaturePayload({ t, method, path, idempotencyKey: req.key ?? '', body }),
        );
        headers[SIGNATURE_HEADER] = `t=${t},v1=${mac}`;
      }
      const res = await pool.request({ method, path, headers, body: body || undefined, signal });
      status = res.statusCode;
      replayed = res.headers['idempotent-replayed'] === 'true';
      text = await res.body.text();
      span.end({ status });
    } catch (err) {
      span.end({ error: (err as Error).message });
      if (o.signal?.aborted)
        throw new GatewayFailure('cancelled', `${method} ${path}: cancelled by the caller`);
      if (timedOut)
        throw new GatewayFailure('timeout', `${method} ${path}: no answer within ${o.timeoutMs} ms`);
      const code = (err as { code?: string }).code ?? '';
      const kind = CONNECT_ERRORS.has(code) ? 'connect' : 'network';
      throw new GatewayFailure(kind, `${method} ${path}: ${code || (err as Error).message}`);
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', cancel);
    }
    if (status === 429) throw new GatewayFailure('rate_limited', `${method} ${path}: 429`, status);
    if (status >= 500)
      throw new GatewayFailure('server_error', `${method} ${path}: ${status} ${errorCode(text)}`, status);
    const json = parseJson(text);
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(json);
      if (!parsed.success)
        throw new GatewayFailure('server_error', `${method} ${path}: unexpected answer`, status);
      return { ok: true, value: parsed.data, replayed };
    }
    const err = ErrorBody.safeParse(json);
    return {
      ok: false,
      refusal: err.success
        ? {
            status,
            code: err.data.error.code,
            message: err.data.error.message,
            chargeId: err.data.error.charge,
          }
        : { status, code: `http_${status}`, message: text.slice(0, 200) },
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCode(text: string): string {
  const err = ErrorBody.safeParse(parseJson(text));
  return err.success ? err.data.error.code : '';
}
