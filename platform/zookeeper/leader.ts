import type { Logger } from '../logger.js';
import { bySequence, zkCode } from './lock.js';
import { CreateMode, type ZkSession } from './session.js';

/** A running leader election; see {@link startLeaderElection}. */
export interface LeaderElection {
  /** True while this process leads under a session believed alive. */
  isLeader(): boolean;
  /** `elected` when this process becomes leader, `revoked` when it stops being one. Returns an unsubscribe. */
  on(event: 'elected' | 'revoked', listener: () => void): () => void;
  /** Leaves the election (deletes the candidate node; revokes if leading). */
  stop(): Promise<void>;
}

export interface LeaderElectionOptions {
  /** The election's folder, e.g. "/ecom/inventory/leader". */
  path: string;
  /** Stored in the candidate node, so an operator can see who leads. */
  id: string;
  logger: Logger;
  /** Re-check interval while waiting or leading (a missed watch cannot stall the election). Default 2 s. */
  recheckMs?: number;
  /** Pause after an error (ZooKeeper unreachable) before trying again. Default 500 ms. */
  retryMs?: number;
}

/**
 * The ZooKeeper leader election recipe: every candidate creates an ephemeral-sequential node; the
 * lowest leads; each other candidate watches only its predecessor. Leadership ends the moment the
 * session is lost (or the watchdog believes it is), and the process re-enters the election under
 * its next session, behind every candidate still alive — so when the leader dies, the next
 * candidate takes over once ZooKeeper expires the dead session.
 */
export function startLeaderElection(session: ZkSession, opts: LeaderElectionOptions): LeaderElection {
  const recheckMs = opts.recheckMs ?? 2_000;
  const retryMs = opts.retryMs ?? 500;
  const logger = opts.logger.child({ election: opts.path });
  const listeners = { elected: new Set<() => void>(), revoked: new Set<() => void>() };
  let stopped = false;
  let leading: number | undefined;
  let node: { path: string; generation: number } | undefined;
  let wake: (() => void) | undefined;
  let onStop: () => void = () => undefined;
  const stopping = new Promise<void>((resolve) => (onStop = resolve));
  // One watcher function: the client keeps a registered function once, so rechecks do not pile up.
  const onWatch = () => wake?.();

  const emit = (event: 'elected' | 'revoked') => {
    for (const l of listeners[event]) {
      try {
        l();
      } catch (err) {
        logger.error({ err, event }, 'leader listener failed');
      }
    }
  };
  const revoke = (why: string) => {
    if (leading === undefined) return;
    leading = undefined;
    logger.warn({ why }, 'leadership lost');
    emit('revoked');
  };
  const unsubscribeLost = session.onLost((generation) => {
    if (leading === generation) revoke('zookeeper session lost');
    if (node?.generation === generation) node = undefined;
    wake?.();
  });

  /** Sleeps until woken (watch, session loss, stop) or `ms` passes. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (wake === done) wake = undefined;
        resolve();
      }
      wake = done;
    });

  const round = async () => {
    await session.ready(60_000);
    const generation = session.generation;
    if (!node || node.generation !== generation) {
      await session.mkdirp(opts.path);
      const created = await session.create(
        `${opts.path}/candidate-`,
        Buffer.from(opts.id),
        CreateMode.EPHEMERAL_SEQUENTIAL,
      );
      node = { path: created.path, generation };
      if (stopped) {
        await session.remove(created.path).catch(() => undefined);
        return;
      }
      if (session.generation !== generation) return;
    }
    const me = node.path.slice(opts.path.length + 1);
    const children = (await session.getChildren(opts.path))
      .filter((c) => c.startsWith('candidate-'))
      .sort(bySequence);
    const i = children.indexOf(me);
    if (stopped || session.generation !== generation) return;
    if (i < 0) {
      node = undefined; // our node vanished: stand again
      revoke('candidate node vanished');
      return;
    }
    if (i === 0) {
      if (leading !== generation && session.alive) {
        leading = generation;
        logger.info({ node: node.path }, 'elected leader');
        emit('elected');
      }
      await pause(recheckMs);
      return;
    }
    revoke('another candidate leads');
    const waiting = pause(recheckMs);
    const stat = await session.exists(`${opts.path}/${children[i - 1]}`, onWatch);
    if (!stat) wake?.();
    await waiting;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        // A round stuck on an unreachable ZooKeeper must not hold up stop().
        await Promise.race([round(), stopping]);
      } catch (err) {
        if (stopped) break;
        logger.warn({ err: (err as Error).message }, 'leader election round failed; retrying');
        await pause(retryMs);
      }
    }
  })();

  return {
    isLeader: () => leading !== undefined && leading === session.generation && session.alive,
    on(event, listener) {
      listeners[event].add(listener);
      return () => listeners[event].delete(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribeLost();
      revoke('stopped');
      onStop();
      wake?.();
      await loop;
      if (node && node.generation === session.generation) {
        await session.remove(node.path).catch((err: unknown) => {
          if (zkCode(err) !== -101) logger.warn({ err }, 'could not delete candidate node');
        });
      }
    },
  };
}
