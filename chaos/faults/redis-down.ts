import { defineFault, onlyParams } from '../fault.js';

/** Stops the Redis server; starts it again (empty: it keeps nothing on disk) when the fault ends. */
export const redisDown = defineFault({
  kind: 'redis-down',
  description: 'stop Redis (rate limits and caches lose their store), start it again after `for`',
  usage: '(no parameters)',
  prepare(spec) {
    onlyParams(spec, []);
    return {};
  },
  target: () => 'redis',
  async start(ctx) {
    await ctx.control.stop('redis');
    let healed: Promise<void> | undefined;
    return { stop: () => (healed ??= ctx.control.start('redis')) };
  },
});
