import {
  AlreadyExists,
  DomainError,
  FailedPrecondition,
  InvalidArgument,
  NotFound,
} from '../../platform/errors.js';
import type { ProxyDefinition, ProxyInfo, ProxyUpdate } from './registry.js';
import type { ProxyJson, ToxicInput, ToxicJson, ToxicPatch } from './types.js';

/** The operations of a {@link ProxySet}, over HTTP (ours or a real Toxiproxy server). */
export interface ToxiproxyClient {
  version(): Promise<string>;
  add(def: ProxyDefinition): Promise<ProxyInfo>;
  get(name: string): Promise<ProxyJson>;
  list(): Promise<ProxyJson[]>;
  update(name: string, patch: ProxyUpdate): Promise<ProxyJson>;
  remove(name: string): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<ProxyJson>;
  toxics(proxyName: string): Promise<ToxicJson[]>;
  getToxic(proxyName: string, toxicName: string): Promise<ToxicJson>;
  addToxic(proxyName: string, toxic: ToxicInput): Promise<ToxicJson>;
  updateToxic(proxyName: string, toxicName: string, patch: ToxicPatch): Promise<ToxicJson>;
  removeToxic(proxyName: string, toxicName: string): Promise<void>;
  /**
   * Partitions the named proxies. Our server has a `partition` toxic; a real Toxiproxy does not
   * (400 "invalid toxic type"), and there the nearest equivalent is used: `timeout` toxics with
   * timeout 0 on both streams (named partition_upstream / partition_downstream), which discard
   * rather than hold the data, so connections that live through it may be unusable afterwards.
   */
  partition(names: string | readonly string[]): Promise<void>;
  /** Removes what {@link partition} added from the named proxies (default: all). */
  heal(names?: string | readonly string[]): Promise<void>;
  /** Enables every proxy and removes every toxic. */
  reset(): Promise<void>;
}

/** Options of {@link toxiproxyClient}. */
export interface ToxiproxyClientOptions {
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

const PARTITION_NAMES = new Set(['partition', 'partition_upstream', 'partition_downstream']);

/** Maps an error answer to the typed error the programmatic API would have thrown. */
function apiError(status: number, body: { error?: string; field?: string }, what: string): DomainError {
  const message = body.error ?? `${what}: HTTP ${status}`;
  if (status === 400) return new InvalidArgument(body.field ?? 'body', message);
  if (status === 404) return new NotFound(message);
  if (status === 409) return new AlreadyExists(message);
  return new FailedPrecondition(`${what}: HTTP ${status}: ${message}`);
}

/**
 * A client for a Toxiproxy-compatible HTTP API at `baseUrl` (e.g. "http://127.0.0.1:8474" or
 * "127.0.0.1:8474"). Errors are the typed errors of platform/errors.ts (400 → InvalidArgument,
 * 404 → NotFound, 409 → AlreadyExists); a network failure or timeout rejects as fetch does.
 */
export function toxiproxyClient(baseUrl: string, opts: ToxiproxyClientOptions = {}): ToxiproxyClient {
  const base = (/^https?:\/\//.test(baseUrl) ? baseUrl : `http://${baseUrl}`).replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + path, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { error: text.trim() };
    }
    if (!res.ok) throw apiError(res.status, (parsed ?? {}) as { error?: string }, `${method} ${path}`);
    return parsed as T;
  };
  const proxyPath = (name: string) => `/proxies/${encodeURIComponent(name)}`;
  const toxicPath = (p: string, t: string) => `${proxyPath(p)}/toxics/${encodeURIComponent(t)}`;
  const list = async (): Promise<ProxyJson[]> =>
    Object.values(await call<Record<string, ProxyJson>>('GET', '/proxies'));
  const names = async (n: string | readonly string[] | undefined): Promise<string[]> =>
    n === undefined ? (await list()).map((p) => p.name) : typeof n === 'string' ? [n] : [...n];

  const client: ToxiproxyClient = {
    version: async () => (await call<{ version: string }>('GET', '/version')).version,
    async add(def) {
      const p = await call<ProxyJson>('POST', '/proxies', {
        ...def,
        listen: typeof def.listen === 'number' ? `127.0.0.1:${def.listen}` : (def.listen ?? '127.0.0.1:0'),
      });
      return { name: p.name, listen: p.listen, upstream: p.upstream };
    },
    get: (name) => call('GET', proxyPath(name)),
    list,
    update: (name, patch) =>
      call('POST', proxyPath(name), {
        ...patch,
        ...(typeof patch.listen === 'number' && { listen: `127.0.0.1:${patch.listen}` }),
      }),
    remove: (name) => call('DELETE', proxyPath(name)),
    setEnabled: (name, enabled) => call('POST', proxyPath(name), { enabled }),
    toxics: (p) => call('GET', `${proxyPath(p)}/toxics`),
    getToxic: (p, t) => call('GET', toxicPath(p, t)),
    addToxic: (p, toxic) => call('POST', `${proxyPath(p)}/toxics`, toxic),
    updateToxic: (p, t, patch) => call('POST', toxicPath(p, t), patch),
    removeToxic: (p, t) => call('DELETE', toxicPath(p, t)),
    async partition(n) {
      for (const name of await names(n)) {
        if ((await client.toxics(name)).some((t) => PARTITION_NAMES.has(t.name))) continue;
        try {
          await client.addToxic(name, { name: 'partition', type: 'partition' });
        } catch (err) {
          if (!(err instanceof InvalidArgument && /invalid toxic type/.test(err.message))) throw err;
          for (const stream of ['upstream', 'downstream'] as const)
            await client.addToxic(name, {
              name: `partition_${stream}`,
              type: 'timeout',
              stream,
              attributes: { timeout: 0 },
            });
        }
      }
    },
    async heal(n) {
      for (const name of await names(n))
        for (const t of await client.toxics(name))
          if (t.type === 'partition' || PARTITION_NAMES.has(t.name)) await client.removeToxic(name, t.name);
    },
    reset: () => call('POST', '/reset'),
  };
  return client;
}
