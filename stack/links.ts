import type { ProxySet } from '../chaos/proxy/index.js';
import type { Endpoint } from '../platform/config.js';
import type { InstancePlan, LinkResolver } from './plan.js';

/** "127.0.0.1:4000" → { host, port }. */
function endpointOf(address: string): Endpoint {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/**
 * Puts a fault proxy on every link of every instance: plans once to learn the links (instance →
 * dependency), creates one proxy per link named "<from>-><to>" (e.g. "inventory-2->mysql-primary"),
 * then plans again with each link pointing at its proxy. A fault can then cut or slow one link of
 * one instance while every other link keeps working.
 */
export async function proxiedPlans(
  plan: (link: LinkResolver) => InstancePlan[],
  proxies: ProxySet,
): Promise<InstancePlan[]> {
  const wanted = new Map<string, Endpoint>();
  plan((from, to, upstream) => {
    wanted.set(`${from}->${to}`, upstream);
    return upstream;
  });
  const listen = new Map<string, Endpoint>();
  for (const [name, upstream] of wanted) {
    const info = await proxies.add({ name, upstream: `${upstream.host}:${upstream.port}` });
    listen.set(name, endpointOf(info.listen));
  }
  return plan((from, to) => {
    const e = listen.get(`${from}->${to}`);
    if (!e) throw new Error(`no proxy for the link ${from}->${to}`);
    return e;
  });
}
