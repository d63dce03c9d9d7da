import { InvalidArgument } from '../../../platform/errors.js';
import type { ToxicType } from '../types.js';
import { bandwidth } from './bandwidth.js';
import { latency } from './latency.js';
import { limitData } from './limit-data.js';
import { partition } from './partition.js';
import { resetPeer } from './reset-peer.js';
import { slicer } from './slicer.js';
import { timeout } from './timeout.js';

/** Every toxic type the proxy knows, by Toxiproxy type name (plus our `partition`). */
export const TOXIC_TYPES: ReadonlyMap<string, ToxicType> = new Map(
  [latency, timeout, resetPeer, bandwidth, slicer, limitData, partition].map((t) => [t.type, t]),
);

/** The registered type called `name`; InvalidArgument on `type` otherwise ("invalid toxic type"). */
export function toxicType(name: unknown): ToxicType {
  const found = typeof name === 'string' ? TOXIC_TYPES.get(name) : undefined;
  if (!found)
    throw new InvalidArgument(
      'type',
      `invalid toxic type ${JSON.stringify(name)} (known: ${[...TOXIC_TYPES.keys()].join(', ')})`,
    );
  return found;
}
