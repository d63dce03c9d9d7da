import { defineFault, onlyParams } from '../fault.js';

/** Stops the MySQL primary (clean shutdown) and starts it again after `for` on the same data. */
export const mysqlPrimaryRestart = defineFault({
  kind: 'mysql-primary-restart',
  description: 'stop the MySQL primary, start it again on the same data after `for` (downtime)',
  usage: '(no parameters)',
  prepare(spec) {
    onlyParams(spec, []);
    return {};
  },
  target: () => 'mysql-primary',
  async start(ctx) {
    await ctx.control.stop('mysql-primary');
    let healed: Promise<void> | undefined;
    return { stop: () => (healed ??= ctx.control.start('mysql-primary')) };
  },
});
