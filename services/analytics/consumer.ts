import type { Redis } from 'ioredis';
import type { Logger } from '../../platform/logger.js';

/** One stream entry: its id and fields (null when the entry was trimmed from the stream). */
export interface StreamEntry {
  id: string;
  fields: Record<string, string> | null;
}

/** Options of {@link startConsumer}. */
export interface ConsumerOptions {
  redis: Redis;
  stream: string;
  group: string;
  /** This consumer's name in the group: stable across restarts (the instance name). */
  consumer: string;
  batchSize: number;
  blockMs: number;
  /** Entries pending this long at another consumer are claimed (that consumer died). */
  claimIdleMs: number;
  /** Processes a batch; entries are acknowledged only after it resolves. */
  handle(entries: StreamEntry[]): Promise<void>;
  logger: Logger;
}

/** A running consumer. */
export interface StartedConsumer {
  stop(): Promise<void>;
}

type RawEntry = [string, string[] | null];

function toEntries(raw: RawEntry[]): StreamEntry[] {
  return raw.map(([id, list]) => {
    if (!list) return { id, fields: null };
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < list.length; i += 2) fields[list[i]!] = list[i + 1]!;
    return { id, fields };
  });
}

/**
 * Consumes a Redis Stream in a consumer group, at least once: a batch is acknowledged (XACK) only
 * after `handle` resolved. After a start (or any failure) it first re-reads its own pending
 * entries (a crash between handling and XACK delivers them again), periodically claims entries
 * other consumers left pending for `claimIdleMs` (XAUTOCLAIM), and recreates the group when Redis
 * lost it (a restart without persistence).
 */
export function startConsumer(opts: ConsumerOptions): StartedConsumer {
  const { redis, stream, group, consumer } = opts;
  let stopped = false;
  let groupReady = false;
  let ownPending = true;
  let lastClaim = 0;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => resolve(), ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const ensureGroup = async () => {
    try {
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
      opts.logger.info({ stream, group }, 'consumer group created');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    groupReady = true;
  };

  const read = async (from: '0' | '>'): Promise<StreamEntry[]> => {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', opts.batchSize];
    if (from === '>') args.push('BLOCK', opts.blockMs);
    const res = (await (redis.xreadgroup as (...a: unknown[]) => Promise<unknown>)(
      ...args,
      'STREAMS',
      stream,
      from,
    )) as [string, RawEntry[]][] | null;
    return toEntries(res?.[0]?.[1] ?? []);
  };

  const claim = async (): Promise<StreamEntry[]> => {
    const res = (await redis.xautoclaim(
      stream,
      group,
      consumer,
      opts.claimIdleMs,
      '0-0',
      'COUNT',
      opts.batchSize,
    )) as [string, RawEntry[]];
    return toEntries(res[1] ?? []);
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        if (!groupReady) await ensureGroup();
        let entries: StreamEntry[];
        if (ownPending) {
          entries = await read('0');
          if (entries.length === 0) ownPending = false;
        } else if (Date.now() - lastClaim >= opts.claimIdleMs / 2) {
          lastClaim = Date.now();
          entries = await claim();
          if (entries.length > 0)
            opts.logger.info({ entries: entries.length }, 'claimed events a dead consumer left');
        } else entries = await read('>');
        if (entries.length > 0) {
          await opts.handle(entries);
          await redis.xack(stream, group, ...entries.map((e) => e.id));
        }
        if (failures > 0) opts.logger.info({ after: failures }, 'event consumer recovered');
        failures = 0;
      } catch (err) {
        failures++;
        ownPending = true;
        if (String((err as Error).message).includes('NOGROUP')) groupReady = false;
        if (failures === 1 || failures % 50 === 0) {
          opts.logger.warn({ err: (err as Error).message, failures }, 'event consumer failed: will retry');
        }
        if (!stopped) await pause(Math.min(2_000, 50 * 2 ** Math.min(failures, 6)));
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
