import { sleep } from '../sleep.js';
import type { ToxicType } from '../types.js';
import { integerAttributes } from './attributes.js';

/**
 * `latency`: every chunk leaves `latency` ± `jitter` ms after it was read. The delay counts from
 * the chunk's arrival (like Toxiproxy), so a burst is delayed once, not once per chunk; chunks keep
 * their order (a chunk whose jitter would overtake its predecessor leaves right after it).
 */
export const latency: ToxicType = {
  type: 'latency',
  description: 'delay every chunk by latency ± jitter ms',
  scope: 'stream',
  parse: (attrs) =>
    integerAttributes(attrs, { latency: { default: 0, min: 0 }, jitter: { default: 0, min: 0 } }),
  stage(attrs, ctx) {
    const base = attrs.latency ?? 0;
    const jitter = attrs.jitter ?? 0;
    return {
      async process(chunk, arrivedAt, next) {
        const offset = jitter > 0 ? Math.floor(ctx.random() * (2 * jitter + 1)) - jitter : 0;
        await sleep(arrivedAt + base + offset - ctx.now(), ctx.signal);
        await next(chunk);
      },
    };
  },
};
