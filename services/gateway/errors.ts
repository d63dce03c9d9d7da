/** Error families of the gateway API (Stripe's vocabulary). */
export type ErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

/**
 * A failed API call as the gateway answers it: an HTTP status and a JSON body
 * `{"error": {"type", "code", "message", "param"?, "charge"?}}`.
 */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    /** Machine-readable, e.g. "card_declined", "idempotency_key_reused", "not_found". */
    readonly code: string,
    message: string,
    readonly extra: { param?: string; charge?: string } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  toJSON(): { error: Record<string, string> } {
    return { error: { type: this.type, code: this.code, message: this.message, ...this.extra } };
  }
}

/** 400 for a bad parameter, naming it. */
export function invalidParam(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', 'parameter_invalid', `${param}: ${message}`, {
    param,
  });
}

/** 404 for a missing charge, refund or route. */
export function notFound(what: string): GatewayError {
  return new GatewayError(404, 'invalid_request_error', 'not_found', `no such ${what}`);
}

/** 422: the key was used before with other parameters. */
export function keyReused(key: string): GatewayError {
  return new GatewayError(
    422,
    'idempotency_error',
    'idempotency_key_reused',
    `Idempotency-Key ${JSON.stringify(key)} was used with different parameters`,
    { param: 'Idempotency-Key' },
  );
}

/** A simulated (or real) server failure. */
export function serverError(message = 'the gateway failed to process the request'): GatewayError {
  return new GatewayError(500, 'api_error', 'internal_error', message);
}
