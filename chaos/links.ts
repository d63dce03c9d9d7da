import { toxiproxyClient, type ToxiproxyClient } from './proxy/index.js';
import { FaultSpecError, type FaultContext } from './fault.js';
import type { StackState } from '../stack/types.js';

/** The stack's fault-proxy client; link faults need a stack started with proxied links. */
export function proxyOf(ctx: FaultContext): ToxiproxyClient {
  if (!ctx.proxyUrl) throw new Error('this stack has no fault proxy (started with direct links)');
  return toxiproxyClient(ctx.proxyUrl);
}

/** Link-fault targets need the proxy: fail at validation time, naming why. */
export function requireProxy(state: StackState, kind: string): void {
  if (!state.faultProxy)
    throw new FaultSpecError(
      `${kind}: this stack was started with direct links (no fault proxy); start it with proxied links`,
    );
}

/**
 * Names of the proxied links from the given instances to a dependency: `to` is a component name
 * ("zookeeper", "mysql-primary", "inventory-2") or a service ("inventory": every instance of it).
 */
export function linkNames(from: string[], to: string, state: StackState): string[] {
  const targets = state.components.filter((c) => c.name === to || c.service === to).map((c) => c.name);
  return from.flatMap((f) => targets.map((t) => `${f}->${t}`));
}
