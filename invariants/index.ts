import type { Checker } from './checker.js';
import { conservation } from './conservation.js';
import { convergence } from './convergence.js';
import { exactlyOncePayment } from './exactly-once-payment.js';
import { noLostAck } from './no-lost-ack.js';
import { noOversell } from './no-oversell.js';
import { rateLimit } from './rate-limit.js';

/** Every checker, in the order ARCHITECTURE.md lists the invariants. */
export const CHECKERS: Checker[] = [
  noOversell,
  conservation,
  exactlyOncePayment,
  noLostAck,
  convergence,
  rateLimit,
];
