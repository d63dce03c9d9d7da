import type { Logger } from '../logger.js';
import { Cancelled, Unavailable } from '../errors.js';
import { CreateMode, czxidOf, type ZkSession } from './session.js';

/** One lock held under one ZooKeeper session. */
export interface HeldLock {
  /** The name it was acquired under (e.g. a SKU). */
  readonly name: string;
  /** The ephemeral-sequential node that holds it. */
  readonly path: string;
  /**
   * Fencing token: the lock node's creation zxid. Every later holder of the same lock has a larger
   * one, so a store that remembers the largest token it has seen can refuse a stale holder.
   */
  readonly token: bigint;
  /** The session generation it was taken under. */
  readonly generation: number;
  /** False once that session has been replaced or is believed lost: the lock is void then. */
  valid(): boolean;
  /** Deletes the lock node (a no-op if the session that held it is gone); never throws. */
  release(): Promise<void>;
}

/** Several locks taken together in the global order; see {@link ZkLocks.acquireAll}. */
export interface HeldLocks {
  readonly locks: readonly HeldLock[];
  /** Fencing token per lock name. */
  readonly tokens: ReadonlyMap<string, bigint>;
  /** True while every lock is valid. */
  valid(): boolean;
  /** Releases every lock (reverse order); never throws. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Give up (UNAVAILABLE) when the lock is not ours within this many ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The lock recipe over one healing session. */
export interface ZkLocks {
  /** Waits for one lock. Rejects with Unavailable on timeout or session loss. */
  acquire(name: string, opts: AcquireOptions): Promise<HeldLock>;
  /**
   * Takes several locks together (duplicates dropped): queued for in one ZooKeeper transaction, so
   * all acquisitions are ordered globally and overlapping sets cannot deadlock; `timeoutMs` bounds
   * the whole set. On failure nothing stays held. Every lock of the set has the same token.
   */
  acquireAll(names: readonly string[], opts: AcquireOptions): Promise<HeldLocks>;
}

/**
 * The ZooKeeper lock recipe: ephemeral-sequential nodes under `root/<name>`; the lowest sequence
 * holds the lock; each waiter watches only its predecessor, so a release wakes one waiter.
 *
 * A set of locks is queued for in ONE ZooKeeper transaction (multi): every node of the set gets the
 * same creation zxid, and since sequence numbers follow commit order, every lock's queue orders its
 * contenders the same way — by the zxid of their acquisition. That is one global order over all
 * acquisitions, so the set can then be waited for in parallel without deadlock (the oldest waiting
 * acquisition is first in every queue it is in), in 3 round trips whatever the set's size instead of
 * 3 per lock. The shared czxid is the fencing token of every lock of the set.
 */
export function createZkLocks(session: ZkSession, opts: { root: string; logger: Logger }): ZkLocks {
  if (!/^(\/[^/]+)+$/.test(opts.root)) {
    throw new Error(`createZkLocks: root must be an absolute path, got ${opts.root}`);
  }
  const dirs = new Set<string>();
  const ensureDirs = async (list: string[]) => {
    await Promise.all(
      list
        .filter((d) => !dirs.has(d))
        .map(async (d) => {
          await session.mkdirp(d);
          dirs.add(d);
        }),
    );
  };
  const createNodes = async (list: string[]) => {
    const entries = list.map((d) => ({ path: `${d}/lock-` }));
    try {
      return await session.createMany(entries, CreateMode.EPHEMERAL_SEQUENTIAL);
    } catch (err) {
      if (zkCode(err) !== NO_NODE) throw err;
      for (const d of list) dirs.delete(d);
      await ensureDirs(list);
      return session.createMany(entries, CreateMode.EPHEMERAL_SEQUENTIAL);
    }
  };
  const removeQuietly = async (paths: string[], generation: number) => {
    if (session.generation !== generation || paths.length === 0) return;
    try {
      await session.removeMany(paths);
    } catch {
      // One of them is already gone (or ZooKeeper is unreachable): delete what is left one by one.
      await Promise.all(
        paths.map((p) =>
          session.remove(p).catch((err: unknown) => {
            if (zkCode(err) !== NO_NODE) opts.logger.warn({ err, path: p }, 'could not delete lock node');
          }),
        ),
      );
    }
  };

  const acquireAll = async (names: readonly string[], o: AcquireOptions): Promise<HeldLocks> => {
    const sorted = [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (sorted.length === 0)
      return { locks: [], tokens: new Map(), valid: () => true, release: async () => {} };
    const deadline = Date.now() + o.timeoutMs;
    if (!session.alive) await session.ready(o.timeoutMs);
    const generation = session.generation;
    const list = sorted.map((name) => `${opts.root}/${encodeName(name)}`);
    await ensureDirs(list);
    const paths = await createNodes(list);
    const what = sorted.length === 1 ? sorted[0]! : `${sorted.length} locks`;
    try {
      if (session.generation !== generation) throw lost(what);
      const [stat] = await Promise.all([
        session.exists(paths[0]!),
        ...list.map((dir, i) =>
          waitTurn(session, dir, paths[i]!.slice(dir.length + 1), {
            name: sorted[i]!,
            deadline,
            generation,
            signal: o.signal,
          }),
        ),
      ]);
      if (!stat) throw lost(what);
      const token = czxidOf(stat);
      let released: Promise<void> | undefined;
      const locks: HeldLock[] = sorted.map((name, i) => {
        let mine: Promise<void> | undefined;
        return {
          name,
          path: paths[i]!,
          token,
          generation,
          valid: () => session.generation === generation && session.alive,
          release: () => released ?? (mine ??= removeQuietly([paths[i]!], generation)),
        };
      });
      return {
        locks,
        tokens: new Map(sorted.map((name) => [name, token])),
        valid: () => session.generation === generation && session.alive,
        release: () => (released ??= removeQuietly(paths, generation)),
      };
    } catch (err) {
      await removeQuietly(paths, generation);
      throw err;
    }
  };

  return {
    acquireAll,
    async acquire(name, o) {
      return (await acquireAll([name], o)).locks[0]!;
    },
  };
}

/** Resolves once `me` is the lowest node under `dir`; rejects at the deadline, on loss or abort. */
async function waitTurn(
  session: ZkSession,
  dir: string,
  me: string,
  w: { name: string; deadline: number; generation: number; signal?: AbortSignal },
): Promise<void> {
  for (;;) {
    if (session.generation !== w.generation || !session.alive) throw lost(w.name);
    const children = (await session.getChildren(dir)).filter((c) => c.startsWith('lock-')).sort(bySequence);
    const i = children.indexOf(me);
    if (i < 0) throw lost(w.name);
    if (i === 0) return;
    await waitDeleted(session, `${dir}/${children[i - 1]}`, w);
  }
}

const NO_NODE = -101;

/** The ZooKeeper error code of a node-zookeeper-client exception, if it is one. */
export function zkCode(err: unknown): number | undefined {
  const e = err as { getCode?: () => number } | null;
  return typeof e?.getCode === 'function' ? e.getCode() : undefined;
}

/** A lock name as one path component: URI-encoded ("/" cannot appear; "." and ".." are escaped). */
export function encodeName(name: string): string {
  if (name === '') throw new Error('lock name must not be empty');
  return name === '.' || name === '..' ? name.replace(/\./g, '%2E') : encodeURIComponent(name);
}

/** Orders "prefix-0000000012" nodes by their sequence number. */
export function bySequence(a: string, b: string): number {
  return sequenceOf(a) - sequenceOf(b);
}

function sequenceOf(node: string): number {
  return Number(node.slice(node.lastIndexOf('-') + 1));
}

function lost(name: string): Unavailable {
  return new Unavailable(`lock ${name}: ZooKeeper session lost while acquiring`);
}

/** Resolves when `path` is gone; rejects at the deadline, on session loss or abort. */
function waitDeleted(
  session: ZkSession,
  path: string,
  w: { name: string; deadline: number; generation: number; signal?: AbortSignal },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      w.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Unavailable(`lock ${w.name} not acquired in time (held by someone else)`)),
      Math.max(0, w.deadline - Date.now()),
    );
    const unsubscribe = session.onLost((g) => {
      if (g === w.generation) finish(lost(w.name));
    });
    const onAbort = () => finish(new Cancelled(`lock ${w.name}: cancelled while waiting`));
    if (w.signal?.aborted) return onAbort();
    w.signal?.addEventListener('abort', onAbort, { once: true });
    session
      .exists(path, () => finish())
      .then(
        (stat) => {
          if (!stat) finish();
        },
        (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
      );
  });
}
