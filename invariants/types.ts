/**
 * What every checker returns (Jepsen's checker shape). Checkers return data and never throw: an
 * exception inside one becomes ok "unknown", and unknown never counts as a pass.
 */
export interface CheckResult {
  name: InvariantName;
  ok: boolean | 'unknown';
  /** How many things were checked (orders, SKU×warehouse rows, charges...). */
  checked: number;
  /** Concrete violations: which order or SKU, what was expected and what was found. */
  violations: Violation[];
  /** Why the result is unknown, or notes about what was skipped. */
  notes?: string[];
}

export interface Violation {
  /** e.g. "order o-123", "sku sku-000001 @ wh-01". */
  subject: string;
  expected: string;
  found: string;
}

export const INVARIANTS = [
  'no-oversell',
  'conservation',
  'exactly-once-payment',
  'no-lost-ack',
  'convergence',
  'rate-limit',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** `ecom verify --json`. */
export interface VerifyReport {
  ok: boolean;
  invariants: CheckResult[];
}
