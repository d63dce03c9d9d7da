import type { ToxicType } from '../types.js';
import { integerAttributes } from './attributes.js';

/**
 * `partition` (ours, not Toxiproxy's): what a network partition looks like to TCP clients. While
 * it is on, both streams of every connection stall (no data, no FIN, no RST passes either way; the
 * proxy stops reading, so data waits in the kernel buffers and senders eventually block), and new
 * connections are accepted but black-holed (the upstream connection is only opened at heal). Its
 * `stream` is ignored. Removing it heals: held data, closes and resets flow on as if the network
 * had come back; nothing is lost or duplicated.
 */
export const partition: ToxicType = {
  type: 'partition',
  description: 'stall both streams of every connection, black-hole new ones (heal resumes them)',
  scope: 'link',
  parse: (attrs) => integerAttributes(attrs, {}),
};
