import { parseDuration } from '../../scenarios/duration.js';
import { defineFault, FaultSpecError, onlyParams, resolveInstances } from '../fault.js';
import { linkNames, proxyOf, requireProxy } from '../links.js';

const TOXIC = 'ecom-link-latency';

/** Slows the links from instances to a dependency (Toxiproxy's latency toxic, both directions). */
export const linkLatency = defineFault({
  kind: 'link-latency',
  description: 'add latency (with jitter) to the links from an instance or service to a dependency',
  usage:
    'target=INSTANCE|SERVICE|all, to=COMPONENT|SERVICE (default mysql-primary), latency=DURATION (default 100ms), jitter=DURATION',
  prepare(spec, state) {
    onlyParams(spec, ['target', 'to', 'latency', 'jitter']);
    requireProxy(state, spec.kind);
    const from = resolveInstances(spec.params.target, state, spec.kind).map((c) => c.name);
    const to = spec.params.to ?? 'mysql-primary';
    const links = linkNames(from, to, state);
    if (links.length === 0)
      throw new FaultSpecError(`${spec.kind}: no link from ${from.join(', ')} to ${to}`);
    const latency = parseDuration(spec.params.latency ?? '100ms');
    const jitter = parseDuration(spec.params.jitter ?? '0ms');
    if (latency === null)
      throw new FaultSpecError(`${spec.kind}: latency=${spec.params.latency} is not a duration`);
    if (jitter === null)
      throw new FaultSpecError(`${spec.kind}: jitter=${spec.params.jitter} is not a duration`);
    return { from, to, links, latency, jitter };
  },
  target: (p) => `${p.from.join(', ')} → ${p.to} (+${p.latency} ms ±${p.jitter})`,
  async start(ctx, p) {
    const proxy = proxyOf(ctx);
    const added: string[] = [];
    for (const link of p.links) {
      for (const stream of ['upstream', 'downstream'] as const) {
        await proxy.addToxic(link, {
          name: `${TOXIC}-${stream}`,
          type: 'latency',
          stream,
          attributes: { latency: Math.round(p.latency / 2), jitter: Math.round(p.jitter / 2) },
        });
      }
      added.push(link);
    }
    let healed: Promise<void> | undefined;
    return {
      stop: () =>
        (healed ??= Promise.all(
          added.flatMap((link) =>
            ['upstream', 'downstream'].map((s) =>
              proxy.removeToxic(link, `${TOXIC}-${s}`).catch(() => undefined),
            ),
          ),
        ).then(() => undefined)),
    };
  },
});
