import zookeeper from 'node-zookeeper-client';
import type { ZooKeeperConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { Unavailable } from '../errors.js';

type Client = zookeeper.Client;
export type Stat = zookeeper.Stat;
export const CreateMode = zookeeper.CreateMode;

/**
 * One ZooKeeper session at a time, replaced when lost, with a promise API and a watchdog.
 *
 * node-zookeeper-client has no read timeout: on a frozen server or a black-holed link it stays
 * "connected" long after the server expired the session (RUNBOOK). The watchdog sends a cheap
 * request every sessionTimeout/6 and declares the session lost when nothing has answered for
 * 2/3 of the session timeout — before the server can expire it and hand our locks to someone
 * else. Safety never rests on this (writes are fenced in the database); it only makes a holder
 * give up early.
 */
export interface ZkSession {
  /** Increases whenever a new session replaces a lost one; anything held under an older one is void. */
  readonly generation: number;
  /** True while the current session is believed alive. */
  readonly alive: boolean;
  create(path: string, data?: Buffer, mode?: number): Promise<{ path: string; stat: Stat | null }>;
  mkdirp(path: string): Promise<void>;
  getChildren(path: string, watcher?: (event: zookeeper.Event) => void): Promise<string[]>;
  exists(path: string, watcher?: (event: zookeeper.Event) => void): Promise<Stat | null>;
  getData(path: string): Promise<{ data: Buffer | null; stat: Stat }>;
  remove(path: string, version?: number): Promise<void>;
  /**
   * Creates several nodes in ONE ZooKeeper transaction (multi): all or none, all with the same
   * creation zxid. Resolves with the created paths (sequential nodes get their suffix), in order.
   */
  createMany(entries: { path: string; data?: Buffer }[], mode?: number): Promise<string[]>;
  /** Deletes several nodes in one transaction (all or none; any version). */
  removeMany(paths: string[]): Promise<void>;
  /** Called with the generation that was lost. Returns an unsubscribe function. */
  onLost(listener: (generation: number) => void): () => void;
  /** Resolves once a session is alive (or rejects after timeoutMs). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Opens a ZooKeeper session that heals itself: a lost session is replaced by a new one. */
export async function connectZooKeeper(cfg: ZooKeeperConfig, logger: Logger): Promise<ZkSession> {
  const session = new Session(cfg, logger.child({ zk: cfg.connect }));
  await session.ready(cfg.sessionTimeoutMs * 3);
  return session;
}

class Session implements ZkSession {
  generation = 0;
  alive = false;
  private client!: Client;
  private lastHeard = Date.now();
  private stopped = false;
  private readonly listeners = new Set<(generation: number) => void>();
  private readonly waiters = new Set<() => void>();
  private readonly watchdog: NodeJS.Timeout;
  private readonly opTimeoutMs: number;

  constructor(
    private readonly cfg: ZooKeeperConfig,
    private readonly logger: Logger,
  ) {
    this.opTimeoutMs = Math.max(500, Math.floor(cfg.sessionTimeoutMs / 2));
    this.open();
    this.watchdog = setInterval(() => this.check(), Math.max(100, Math.floor(cfg.sessionTimeoutMs / 6)));
    this.watchdog.unref();
  }

  private open(): void {
    const generation = ++this.generation;
    const client = zookeeper.createClient(this.cfg.connect, {
      sessionTimeout: this.cfg.sessionTimeoutMs,
      spinDelay: 200,
      retries: 1_000_000,
    });
    this.client = client;
    client.on('connected', () => {
      if (generation !== this.generation) return;
      this.lastHeard = Date.now();
      if (!this.alive) this.logger.info({ generation }, 'zookeeper session alive');
      this.alive = true;
      for (const w of this.waiters) w();
      this.waiters.clear();
    });
    client.on('disconnected', () => {
      if (generation === this.generation) this.logger.warn({ generation }, 'zookeeper disconnected');
    });
    client.on('expired', () => this.lose(generation, 'expired'));
    client.connect();
  }

  private check(): void {
    if (this.stopped) return;
    if (this.alive && Date.now() - this.lastHeard > (this.cfg.sessionTimeoutMs * 2) / 3) {
      this.lose(this.generation, 'watchdog: no answer within 2/3 of the session timeout');
      return;
    }
    if (!this.alive) return;
    const generation = this.generation;
    this.client.exists('/', (err) => {
      if (!err && generation === this.generation) this.lastHeard = Date.now();
    });
  }

  private lose(generation: number, why: string): void {
    if (generation !== this.generation || this.stopped) return;
    this.logger.warn({ generation, why }, 'zookeeper session lost');
    this.alive = false;
    const old = this.client;
    this.open();
    old.removeAllListeners();
    old.on('error', () => undefined);
    old.close();
    for (const l of this.listeners) l(generation);
  }

  onLost(listener: (generation: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ready(timeoutMs = this.cfg.sessionTimeoutMs * 3): Promise<void> {
    if (this.alive) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Unavailable(`zookeeper at ${this.cfg.connect} not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  /** Runs one request on the current client, bounded by opTimeoutMs. */
  private op<T>(
    what: string,
    fn: (client: Client, cb: (err: Error | null, value?: T) => void) => void,
  ): Promise<T> {
    if (this.stopped) return Promise.reject(new Unavailable('zookeeper session stopped'));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Unavailable(`zookeeper ${what}: no answer within ${this.opTimeoutMs} ms`)),
        this.opTimeoutMs,
      );
      fn(this.client, (err, value) => {
        clearTimeout(timer);
        if (err) reject(err);
        else {
          this.lastHeard = Date.now();
          resolve(value as T);
        }
      });
    });
  }

  create(path: string, data?: Buffer, mode: number = CreateMode.PERSISTENT) {
    return this.op<{ path: string; stat: Stat | null }>(`create ${path}`, (c, cb) =>
      c.create(path, data ?? Buffer.alloc(0), mode, (err, created) => {
        if (err) return cb(err as Error);
        // The stat (its czxid is our fencing token) needs one more read.
        c.exists(created, (e2, stat) => cb(null, { path: created, stat: e2 ? null : stat }));
      }),
    );
  }

  mkdirp(path: string) {
    return this.op<void>(`mkdirp ${path}`, (c, cb) => c.mkdirp(path, (err) => cb(err as Error | null)));
  }

  getChildren(path: string, watcher?: (event: zookeeper.Event) => void) {
    return this.op<string[]>(`getChildren ${path}`, (c, cb) =>
      watcher
        ? c.getChildren(path, watcher, (err, children) => cb(err as Error | null, children))
        : c.getChildren(path, (err, children) => cb(err as Error | null, children)),
    );
  }

  exists(path: string, watcher?: (event: zookeeper.Event) => void) {
    return this.op<Stat | null>(`exists ${path}`, (c, cb) =>
      watcher
        ? c.exists(path, watcher, (err, stat) => cb(err as Error | null, stat ?? null))
        : c.exists(path, (err, stat) => cb(err as Error | null, stat ?? null)),
    );
  }

  getData(path: string) {
    return this.op<{ data: Buffer | null; stat: Stat }>(`getData ${path}`, (c, cb) =>
      c.getData(path, (err, data, stat) => cb(err as Error | null, { data, stat })),
    );
  }

  remove(path: string, version = -1) {
    return this.op<void>(`remove ${path}`, (c, cb) =>
      c.remove(path, version, (err) => cb(err as Error | null)),
    );
  }

  createMany(entries: { path: string; data?: Buffer }[], mode: number = CreateMode.PERSISTENT) {
    return this.op<string[]>(`create ${entries.length} nodes`, (c, cb) => {
      const tx = c.transaction();
      for (const e of entries) tx.create(e.path, e.data ?? Buffer.alloc(0), mode);
      tx.commit((err, results: { path?: string }[]) =>
        err
          ? cb(err as Error)
          : cb(
              null,
              results.map((r) => r.path ?? ''),
            ),
      );
    });
  }

  removeMany(paths: string[]) {
    return this.op<void>(`remove ${paths.length} nodes`, (c, cb) => {
      const tx = c.transaction();
      for (const p of paths) tx.remove(p, -1);
      tx.commit((err) => cb(err as Error | null));
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.watchdog);
    this.alive = false;
    const client = this.client;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.close();
    });
  }
}

/** The creation zxid of a node as a bigint: globally increasing, hence usable as a fencing token. */
export function czxidOf(stat: Stat): bigint {
  return stat.czxid.readBigUInt64BE(0);
}
