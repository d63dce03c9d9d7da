import type { ToxicType } from '../types.js';
import { integerAttributes } from './attributes.js';

/**
 * `reset_peer`: `timeout` ms after the toxic reaches a connection, both sides are closed with a TCP
 * RST (clients see ECONNRESET); data flows normally until then. Unlike Toxiproxy, whose timer
 * starts at the first chunk, the timer starts at once, so idle pooled connections are reset too.
 */
export const resetPeer: ToxicType = {
  type: 'reset_peer',
  description: 'reset (RST) the connection after timeout ms',
  scope: 'stream',
  parse: (attrs) => integerAttributes(attrs, { timeout: { default: 0, min: 0 } }),
  stage(attrs, ctx) {
    const timer = setTimeout(() => ctx.reset(), attrs.timeout ?? 0);
    return {
      process: (chunk, _arrivedAt, next) => next(chunk),
      dispose: () => clearTimeout(timer),
    };
  },
};
