import type { z } from 'zod';
import { GatewayError, invalidParam, serverError } from './errors.js';
import { CaptureParams, ChargeParams, RefundParams, type Operations } from './operations.js';
import { chargeJson, listJson, refundJson } from './views.js';

/**
 * Payment tokens that force an outcome, so scenarios control charges deterministically:
 * - `tok_ok` (and any other `tok_…`): no forced outcome; the behaviour knobs decide.
 * - `tok_decline`: declined (402 card_declined), recorded as declined.
 * - `tok_timeout`: recorded (money moved), then never answered.
 * - `tok_error`: 500 before anything is done; nothing recorded.
 * - `tok_fraud`: like tok_ok here; the payments service declines it before calling the gateway.
 */
export const TOKEN_HINTS = ['tok_ok', 'tok_decline', 'tok_timeout', 'tok_error', 'tok_fraud'] as const;

/** One /v1 request, read and (when signing is on) verified. */
export interface ApiRequest {
  method: string;
  query: URLSearchParams;
  body: string;
  idempotencyKey: string | undefined;
  /** False once the caller closed the connection. */
  stillWanted: () => boolean;
}

/** What a route answers; `fresh` marks a newly recorded charge or refund (after-commit faults apply). */
export interface Reply {
  status: number;
  body: unknown;
  replayed?: boolean;
  fresh?: boolean;
  /** The token asked to never answer this one. */
  forceTimeout?: boolean;
}

type Route = {
  method: string;
  pattern: RegExp;
  name: string;
  run: (req: ApiRequest, params: string[]) => Promise<Reply>;
};

/** The /v1 routes of the gateway API. */
export function apiRoutes(ops: Operations, dice: { decline(): boolean }): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/charges$/,
      name: 'create_charge',
      run: async (req) => {
        const key = requireKey(req);
        const params = parse(ChargeParams, req.body);
        if (params.payment_token === 'tok_error') throw serverError();
        const decline = params.payment_token === 'tok_decline' || dice.decline();
        const { value, replayed } = await ops.createCharge(key, params, {
          decline,
          stillWanted: req.stillWanted,
        });
        const body = chargeJson(value);
        const reply: Reply = { status: 200, body, replayed, fresh: !replayed };
        if (!replayed && params.payment_token === 'tok_timeout') reply.forceTimeout = true;
        if (value.status === 'declined') {
          reply.status = 402;
          reply.body = new GatewayError(
            402,
            'card_error',
            value.failureCode ?? 'card_declined',
            'the card was declined',
            {
              charge: value.chargeId,
            },
          ).toJSON();
        }
        return reply;
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/charges$/,
      name: 'list_charges',
      run: async (req) => {
        const charges = await ops.findCharges({
          idempotencyKey: req.query.get('idempotency_key') ?? undefined,
          orderId: req.query.get('order_id') ?? undefined,
        });
        return { status: 200, body: listJson(charges.map(chargeJson)) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/charges\/([A-Za-z0-9_]{1,32})$/,
      name: 'get_charge',
      run: async (_req, [id]) => ({ status: 200, body: chargeJson(await ops.getCharge(id!)) }),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/charges\/([A-Za-z0-9_]{1,32})\/capture$/,
      name: 'capture_charge',
      run: async (req, [id]) => {
        const params = parse(CaptureParams, req.body === '' ? '{}' : req.body);
        return { status: 200, body: chargeJson(await ops.capture(id!, params.amount_minor)) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/refunds$/,
      name: 'create_refund',
      run: async (req) => {
        const key = requireKey(req);
        const params = parse(RefundParams, req.body);
        const { value, replayed } = await ops.refund(key, params, { stillWanted: req.stillWanted });
        return { status: 200, body: refundJson(value), replayed, fresh: !replayed };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds$/,
      name: 'list_refunds',
      run: async (req) => {
        const key = req.query.get('idempotency_key');
        if (key === null) throw invalidParam('idempotency_key', 'required');
        return { status: 200, body: listJson((await ops.findRefunds(key)).map(refundJson)) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/refunds\/([A-Za-z0-9_]{1,32})$/,
      name: 'get_refund',
      run: async (_req, [id]) => ({ status: 200, body: refundJson(await ops.getRefund(id!)) }),
    },
  ];
}

/** Finds the route of a request: the route and its path parameters, or a 404/405 error. */
export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method === method) return { route, params: m.slice(1) };
  }
  if (pathMatched)
    throw new GatewayError(
      405,
      'invalid_request_error',
      'method_not_allowed',
      `${method} not allowed on ${path}`,
    );
  throw new GatewayError(404, 'invalid_request_error', 'not_found', `no route ${method} ${path}`);
}

function requireKey(req: ApiRequest): string {
  const key = req.idempotencyKey;
  if (key === undefined || key.length === 0) {
    throw new GatewayError(
      400,
      'invalid_request_error',
      'idempotency_key_missing',
      'the Idempotency-Key header is required',
      {
        param: 'Idempotency-Key',
      },
    );
  }
  if (key.length > 255) throw invalidParam('Idempotency-Key', 'at most 255 characters');
  return key;
}

/** Parses a JSON body against a schema; a 400 names the first bad parameter. */
export function parse<S extends z.ZodType>(schema: S, body: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new GatewayError(400, 'invalid_request_error', 'invalid_json', 'the body is not JSON');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  if (issue?.code === 'unrecognized_keys' && issue.keys[0]) path.push(issue.keys[0]);
  throw invalidParam(path.length > 0 ? path.join('.') : '(body)', issue?.message ?? 'invalid');
}
