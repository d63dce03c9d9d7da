import { InvalidArgument } from '../../platform/errors.js';

/** A TCP address. */
export interface Address {
  host: string;
  port: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Parses "host:port" ("[::1]:port" for IPv6) or a bare port number (host 127.0.0.1).
 * Throws InvalidArgument naming `field`. `allowZeroPort` accepts port 0 (let the OS choose).
 */
export function parseAddress(value: unknown, field: string, opts: { allowZeroPort?: boolean } = {}): Address {
  let host = '127.0.0.1';
  let portText: string;
  if (typeof value === 'number') portText = String(value);
  else if (typeof value === 'string' && value.length > 0) {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
    if (!m) throw new InvalidArgument(field, `expected "host:port", got ${JSON.stringify(value)}`);
    host = m[1] ?? (m[2] || '127.0.0.1');
    portText = m[3] as string;
  } else throw new InvalidArgument(field, 'expected "host:port" or a port number');
  const port = Number(portText);
  const min = opts.allowZeroPort ? 0 : 1;
  if (!Number.isInteger(port) || port < min || port > 65_535)
    throw new InvalidArgument(field, `port must be an integer in ${min}..65535, got ${portText}`);
  return { host, port };
}

/**
 * Parses a listen address and insists on loopback: a proxy in front of a database must never be
 * reachable from other machines.
 */
export function parseListen(value: unknown, field = 'listen'): Address {
  const addr = parseAddress(value ?? '127.0.0.1:0', field, { allowZeroPort: true });
  if (!LOOPBACK.has(addr.host))
    throw new InvalidArgument(
      field,
      `must be a loopback address (127.0.0.1, localhost, ::1), got ${addr.host}`,
    );
  return { host: addr.host === 'localhost' ? '127.0.0.1' : addr.host, port: addr.port };
}

/** "host:port", with brackets around IPv6 hosts. */
export function formatAddress(addr: Address): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}
