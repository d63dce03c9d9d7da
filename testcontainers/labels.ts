import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/** Label on every container of a stack: the stack folder (absolute), so `down` can find leftovers. */
export const STACK_LABEL = 'ecom.stack';
/** Label naming the component a container runs ("mysql-primary", "redis", "orders-1"...). */
export const COMPONENT_LABEL = 'ecom.component';

/** The labels of one container of the stack in `dir`. */
export function containerLabels(dir: string, component: string): Record<string, string> {
  return { [STACK_LABEL]: resolve(dir), [COMPONENT_LABEL]: component };
}

/** The user-defined network of the stack in `dir`: one per stack folder, so a leftover is found by name. */
export function networkName(dir: string): string {
  return `ecom-${createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 12)}`;
}

/** The `label` filter (Docker API) selecting the containers of the stack in `dir`. */
export function stackFilter(dir: string): string {
  return `${STACK_LABEL}=${resolve(dir)}`;
}
