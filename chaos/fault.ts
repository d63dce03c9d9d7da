import type { Connection } from 'mysql2/promise';
import type { Logger } from '../platform/logger.js';
import type { StackControl } from '../stack/control-client.js';
import type { ComponentState, StackState } from '../stack/types.js';
import type { FaultSpec } from './spec.js';

/** What a fault can act through: the supervisor, the fault proxy's API, admin SQL connections. */
export interface FaultContext {
  state: StackState;
  control: StackControl;
  /** Base URL of the stack's fault proxy (Toxiproxy-compatible HTTP API). */
  proxyUrl?: string;
  logger: Logger;
  /** A fresh admin connection to the primary or the replica (caller closes it). */
  mysql(which: 'primary' | 'replica'): Promise<Connection>;
}

/** A fault in effect; `stop()` heals it (idempotent). Heals run before the final checks. */
export interface ActiveFault {
  stop(): Promise<void>;
}

/** A spec that does not fit the fault or the stack; maps to exit 2. */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

/**
 * One kind of fault (a Jepsen nemesis, a Toxiproxy toxic): validated up front against the stack
 * (`prepare` throws FaultSpecError naming the parameter), started at its time, healed by stop().
 */
export interface Fault<P = unknown> {
  kind: string;
  /** One line: what it does. */
  description: string;
  /** Parameters it takes besides at/for, for --help. */
  usage: string;
  prepare(spec: FaultSpec, state: StackState): P;
  /** The target as shown in reports, e.g. "inventory-1" or "all orders instances". */
  target(params: P): string;
  start(ctx: FaultContext, params: P): Promise<ActiveFault>;
}

/** Declares a fault with its parameter type inferred. */
export function defineFault<P>(f: Fault<P>): Fault<P> {
  return f;
}

/** Service instances named by a target: an instance ("orders-2"), a service ("orders") or "all". */
export function resolveInstances(
  target: string | undefined,
  state: StackState,
  kind: string,
): ComponentState[] {
  const services = state.components.filter((c) => c.kind === 'service');
  if (!target)
    throw new FaultSpecError(
      `${kind}: target= is required (an instance like inventory-1, a service like inventory, or all)`,
    );
  const found =
    target === 'all' ? services : services.filter((c) => c.name === target || c.service === target);
  if (found.length === 0) {
    throw new FaultSpecError(
      `${kind}: target=${target} matches no service instance (have: ${services.map((s) => s.name).join(', ')})`,
    );
  }
  return found;
}

/** Rejects parameters a fault does not know. */
export function onlyParams(spec: FaultSpec, allowed: string[]): void {
  const unknown = Object.keys(spec.params).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new FaultSpecError(
      `${spec.kind}: unknown parameter ${unknown.join(', ')} (takes ${['at', 'for', ...allowed].join(', ')})`,
    );
  }
}

/** A component of the stack by exact name. */
export function component(state: StackState, name: string): ComponentState {
  const c = state.components.find((x) => x.name === name);
  if (!c) throw new FaultSpecError(`no component named ${name} in this stack`);
  return c;
}
