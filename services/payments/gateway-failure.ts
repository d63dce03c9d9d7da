/** Why a gateway call ended without a definitive answer. */
export type FailureKind =
  /** Could not connect: the request never left. */
  | 'connect'
  /** 429: the gateway refused to process it now. */
  | 'rate_limited'
  /** The breaker is open: not sent. */
  | 'breaker_open'
  /** 5xx: it may or may not have been processed. */
  | 'server_error'
  /** No answer within the attempt's time: it may have been processed. */
  | 'timeout'
  /** The connection failed mid-request: it may have been processed. */
  | 'network'
  /** Our caller cancelled (or its deadline passed) while the request was out. */
  | 'cancelled';

const NOT_SENT = new Set<FailureKind>(['connect', 'rate_limited', 'breaker_open']);
const RETRYABLE = new Set<FailureKind>(['connect', 'rate_limited', 'server_error', 'timeout', 'network']);

/** A gateway call that failed without a definitive answer (thrown; counted by the breaker). */
export class GatewayFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GatewayFailure';
  }

  /** Whether the gateway may have processed the request. */
  get maybeSent(): boolean {
    return !NOT_SENT.has(this.kind);
  }

  /** Worth another attempt with the same idempotency key (never declines or other 4xx). */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** A definitive refusal from the gateway (4xx other than 429): a decline, a bad request, … */
export interface GatewayRefusal {
  status: number;
  /** Machine-readable code, e.g. "card_declined", "amount_too_large". */
  code: string;
  message: string;
  /** The charge a decline was recorded as. */
  chargeId?: string;
}

/** A definitive answer: the object, or a refusal. */
export type GatewayAnswer<T> =
  { ok: true; value: T; replayed: boolean } | { ok: false; refusal: GatewayRefusal };
