import { AlreadyExists, InvalidArgument, NotFound } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { formatAddress, parseAddress, parseListen } from './address.js';
import { TcpProxy, type ProxyStats } from './proxy.js';
import { serveProxyApi, type ProxyApiServer } from './server.js';
import type { ProxyJson, ToxicInput, ToxicJson, ToxicPatch } from './types.js';

/** The name of the toxic that {@link ProxySet.partition} adds. */
export const PARTITION_TOXIC = 'partition';

/** A proxy to create. */
export interface ProxyDefinition {
  /** E.g. "inventory-2->mysql-primary"; at most 200 characters, no "/" or whitespace. */
  name: string;
  /** "127.0.0.1:PORT" or a port; loopback only; default 127.0.0.1:0 (the OS picks a port). */
  listen?: string | number;
  /** "host:port" of the real server. */
  upstream: string;
  /** Default true. */
  enabled?: boolean;
}

/** What {@link ProxySet.add} returns: where to connect instead of the upstream. */
export interface ProxyInfo {
  name: string;
  listen: string;
  upstream: string;
}

/** Changes to a proxy (Toxiproxy's proxy update). */
export interface ProxyUpdate {
  listen?: string | number;
  upstream?: string;
  enabled?: boolean;
}

/** Options of {@link createProxySet}. */
export interface ProxySetOptions {
  /** Uniform in [0, 1), for toxicity, jitter and slice sizes; default Math.random (inject a seeded one to replay). */
  random?: () => number;
  /** Milliseconds; default performance.now. */
  now?: () => number;
}

/** A set of proxies in one process, managed like a Toxiproxy server (programmatically or over HTTP). */
export interface ProxySet extends AsyncDisposable {
  add(def: ProxyDefinition): Promise<ProxyInfo>;
  /** Throws NotFound. */
  get(name: string): ProxyJson;
  has(name: string): boolean;
  list(): ProxyJson[];
  update(name: string, patch: ProxyUpdate): Promise<ProxyJson>;
  remove(name: string): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<ProxyJson>;
  toxics(proxyName: string): ToxicJson[];
  getToxic(proxyName: string, toxicName: string): ToxicJson;
  addToxic(proxyName: string, toxic: ToxicInput): ToxicJson;
  updateToxic(proxyName: string, toxicName: string, patch: ToxicPatch): ToxicJson;
  removeToxic(proxyName: string, toxicName: string): void;
  /** Partitions the named proxies (all must exist; already partitioned ones stay so). */
  partition(names: string | readonly string[]): void;
  /** Removes every partition toxic from the named proxies (default: all proxies). */
  heal(names?: string | readonly string[]): void;
  /** Enables every proxy and removes every toxic (Toxiproxy's POST /reset). */
  reset(): Promise<void>;
  stats(): Record<string, ProxyStats>;
  /** Serves the Toxiproxy-compatible HTTP API on 127.0.0.1:`port` (default 0: any free port). */
  serveHttp(port?: number): Promise<ProxyApiServer>;
  /** Stops the HTTP servers and every proxy; idempotent. */
  stop(): Promise<void>;
}

function validEnabled(value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidArgument('enabled', `must be a boolean, got ${JSON.stringify(value)}`);
}

function validName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !/^[^\s/]{1,200}$/.test(name))
    throw new InvalidArgument(field, 'must be 1..200 characters without whitespace or "/"');
  return name;
}

/** Creates an empty proxy set; see {@link ProxySet}. */
export function createProxySet(logger: Logger, opts: ProxySetOptions = {}): ProxySet {
  const deps = {
    logger,
    random: opts.random ?? Math.random,
    now: opts.now ?? (() => performance.now()),
  };
  const proxies = new Map<string, TcpProxy>();
  const servers = new Set<ProxyApiServer>();
  const proxy = (name: string): TcpProxy => {
    const found = proxies.get(name);
    if (!found) throw new NotFound(`proxy not found: ${name}`);
    return found;
  };
  const names = (n: string | readonly string[] | undefined): string[] =>
    n === undefined ? [...proxies.keys()] : typeof n === 'string' ? [n] : [...n];

  const set: ProxySet = {
    async add(def) {
      const name = validName(def?.name);
      const listen = parseListen(def.listen);
      const upstream = parseAddress(def.upstream, 'upstream');
      const enabled = validEnabled(def.enabled) ?? true;
      if (proxies.has(name)) throw new AlreadyExists(`proxy already exists: ${name}`);
      const p = new TcpProxy({ name, listen, upstream }, deps);
      proxies.set(name, p);
      try {
        await p.setEnabled(enabled);
      } catch (err) {
        proxies.delete(name);
        throw err;
      }
      const { listen: bound } = p.json();
      return { name, listen: bound, upstream: formatAddress(upstream) };
    },
    get: (name) => proxy(name).json(),
    has: (name) => proxies.has(name),
    list: () => [...proxies.values()].map((p) => p.json()),
    async update(name, patch) {
      const p = proxy(name);
      const enabled = validEnabled(patch.enabled);
      await p.reconfigure({
        ...(patch.listen !== undefined && { listen: parseListen(patch.listen) }),
        ...(patch.upstream !== undefined && { upstream: parseAddress(patch.upstream, 'upstream') }),
      });
      if (enabled !== undefined) await p.setEnabled(enabled);
      return p.json();
    },
    async remove(name) {
      const p = proxy(name);
      proxies.delete(name);
      await p.stop();
    },
    async setEnabled(name, enabled) {
      const p = proxy(name);
      await p.setEnabled(validEnabled(enabled) ?? true);
      return p.json();
    },
    toxics: (proxyName) => proxy(proxyName).toxics(),
    getToxic: (proxyName, toxicName) => proxy(proxyName).toxic(toxicName),
    addToxic: (proxyName, toxic) => proxy(proxyName).addToxic(toxic),
    updateToxic: (proxyName, toxicName, patch) => proxy(proxyName).updateToxic(toxicName, patch),
    removeToxic: (proxyName, toxicName) => proxy(proxyName).removeToxic(toxicName),
    partition(n) {
      const targets = names(n).map(proxy);
      for (const p of targets)
        if (!p.toxics().some((t) => t.name === PARTITION_TOXIC))
          p.addToxic({ name: PARTITION_TOXIC, type: 'partition' });
    },
    heal(n) {
      const targets = names(n).map(proxy);
      for (const p of targets) for (const t of p.toxics()) if (t.type === 'partition') p.removeToxic(t.name);
    },
    async reset() {
      for (const p of proxies.values()) {
        await p.setEnabled(true);
        p.resetToxics();
      }
    },
    stats: () => Object.fromEntries([...proxies].map(([name, p]) => [name, p.stats()])),
    async serveHttp(port = 0) {
      const server = await serveProxyApi(set, deps.logger, port);
      servers.add(server);
      return {
        address: server.address,
        stop: async () => {
          servers.delete(server);
          await server.stop();
        },
      };
    },
    async stop() {
      await Promise.all([...servers].map((s) => s.stop()));
      servers.clear();
      const all = [...proxies.values()];
      proxies.clear();
      await Promise.all(all.map((p) => p.stop()));
    },
    [Symbol.asyncDispose]: () => set.stop(),
  };
  return set;
}
