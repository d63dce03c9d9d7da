import { defineFault, onlyParams, resolveInstances } from '../fault.js';
import { linkNames, proxyOf, requireProxy } from '../links.js';

/**
 * Cuts instances off from ZooKeeper: their links to it go silent in both directions (no RST, no
 * FIN — what a partition looks like to TCP), so their sessions expire on the server while the
 * client still believes it is connected (the case the session watchdog and the fencing exist for).
 */
export const zkPartition = defineFault({
  kind: 'zk-partition',
  description: 'cut an instance (or a service, or all) off from ZooKeeper in both directions',
  usage: 'target=INSTANCE|SERVICE|all',
  prepare(spec, state) {
    onlyParams(spec, ['target']);
    requireProxy(state, spec.kind);
    const from = resolveInstances(spec.params.target, state, spec.kind).map((c) => c.name);
    return { from, links: linkNames(from, 'zookeeper', state) };
  },
  target: (p) => p.from.join(', '),
  async start(ctx, p) {
    const proxy = proxyOf(ctx);
    await proxy.partition(p.links);
    let healed: Promise<void> | undefined;
    return { stop: () => (healed ??= proxy.heal(p.links)) };
  },
});
