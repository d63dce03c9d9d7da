import { defineFault, onlyParams } from '../fault.js';

/** SIGSTOP the ZooKeeper server itself; SIGCONT when the fault ends. */
export const zkPause = defineFault({
  kind: 'zk-pause',
  description: 'SIGSTOP the ZooKeeper server, SIGCONT it after `for`',
  usage: '(no parameters)',
  prepare(spec) {
    onlyParams(spec, []);
    return {};
  },
  target: () => 'zookeeper',
  async start(ctx) {
    await ctx.control.signal('zookeeper', 'SIGSTOP');
    let healed: Promise<void> | undefined;
    return { stop: () => (healed ??= ctx.control.signal('zookeeper', 'SIGCONT')) };
  },
});
