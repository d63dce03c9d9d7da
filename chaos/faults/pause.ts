import { defineFault, onlyParams, resolveInstances } from '../fault.js';

/** SIGSTOP service instances — the long GC pause — and SIGCONT them when the fault ends. */
export const pause = defineFault({
  kind: 'pause',
  description: 'SIGSTOP an instance (the long-GC case), SIGCONT it after `for`',
  usage: 'target=INSTANCE|SERVICE|all',
  prepare(spec, state) {
    onlyParams(spec, ['target']);
    return { names: resolveInstances(spec.params.target, state, spec.kind).map((c) => c.name) };
  },
  target: (p) => p.names.join(', '),
  async start(ctx, p) {
    for (const name of p.names) await ctx.control.signal(name, 'SIGSTOP');
    let healed: Promise<void> | undefined;
    return {
      stop: () =>
        (healed ??= Promise.all(p.names.map((n) => ctx.control.signal(n, 'SIGCONT'))).then(() => undefined)),
    };
  },
});
