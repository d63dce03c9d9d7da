import { sleep } from '../sleep.js';
import type { ToxicType } from '../types.js';
import { integerAttributes } from './attributes.js';

/**
 * `bandwidth`: at most `rate` KB/s (1 KB = 1000 bytes, as in Toxiproxy) per connection and
 * stream; 0 means unlimited. Chunks larger than 100 ms worth are sent in 100 ms slices. Pacing
 * follows a virtual send clock, so setTimeout's coarse granularity does not drift the rate.
 */
export const bandwidth: ToxicType = {
  type: 'bandwidth',
  description: 'limit throughput to rate KB/s',
  scope: 'stream',
  parse: (attrs) => integerAttributes(attrs, { rate: { default: 0, min: 0 } }),
  stage(attrs, ctx) {
    const bytesPerMs = attrs.rate ?? 0;
    let sendAt = ctx.now();
    return {
      async process(chunk, _arrivedAt, next) {
        if (bytesPerMs === 0) return next(chunk);
        const slice = bytesPerMs * 100;
        for (let offset = 0; offset < chunk.length;) {
          if (ctx.signal.aborted) return next(chunk.subarray(offset));
          const piece = chunk.subarray(offset, offset + slice);
          offset += piece.length;
          sendAt = Math.max(sendAt, ctx.now()) + piece.length / bytesPerMs;
          const wait = sendAt - ctx.now();
          // Waits under 1 ms are paid later: sendAt stays ahead of the clock until then.
          if (wait >= 1) await sleep(wait, ctx.signal);
          await next(piece);
        }
      },
    };
  },
};
