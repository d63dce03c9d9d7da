import { defineFault, onlyParams, resolveInstances } from '../fault.js';

/** kill -9 service instances (a crash); they are restarted when the fault ends (after `for`). */
export const kill = defineFault({
  kind: 'kill',
  description: 'kill -9 an instance (or every instance of a service), restart it after `for`',
  usage: 'target=INSTANCE|SERVICE|all',
  prepare(spec, state) {
    onlyParams(spec, ['target']);
    return { names: resolveInstances(spec.params.target, state, spec.kind).map((c) => c.name) };
  },
  target: (p) => p.names.join(', '),
  async start(ctx, p) {
    for (const name of p.names) await ctx.control.signal(name, 'SIGKILL');
    let healed: Promise<void> | undefined;
    return {
      stop: () => (healed ??= Promise.all(p.names.map((n) => ctx.control.start(n))).then(() => undefined)),
    };
  },
});
