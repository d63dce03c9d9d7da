import type { Stage, StageContext, Stream, ToxicType } from '../types.js';

/** One stage of a toxic type, run by hand: what it emitted (and when), and what it did to the link. */
export interface StageHarness {
  stage: Stage;
  /** Emitted pieces with the clock reading at emission. */
  out: { data: Buffer; at: number }[];
  events: { closed: number; reset: number };
  /** Aborting = removing the toxic from the connection. */
  abort: AbortController;
  /** Processes one chunk (arrived now unless `at` is given). */
  feed(chunk: Buffer, at?: number): Promise<void>;
  /** Everything emitted so far, concatenated. */
  output(): Buffer;
}

/**
 * Builds a stage of `type` with parsed `attrs` over a recording context (for unit tests of toxics:
 * no sockets). The clock defaults to Date.now so vitest's fake timers drive it.
 */
export function stageHarness(
  type: ToxicType,
  attrs: Record<string, unknown>,
  opts: { random?: () => number; now?: () => number; stream?: Stream } = {},
): StageHarness {
  if (!type.stage) throw new Error(`${type.type} has no per-stream stage`);
  const abort = new AbortController();
  const out: StageHarness['out'] = [];
  const events = { closed: 0, reset: 0 };
  const now = opts.now ?? (() => Date.now());
  const ctx: StageContext = {
    stream: opts.stream ?? 'downstream',
    signal: abort.signal,
    random: opts.random ?? (() => 0.5),
    now,
    close: () => void (events.closed += 1),
    reset: () => void (events.reset += 1),
  };
  const stage = type.stage(type.parse(attrs), ctx);
  return {
    stage,
    out,
    events,
    abort,
    feed: (chunk, at = now()) =>
      stage.process(chunk, at, async (c) => {
        out.push({ data: Buffer.from(c), at: now() });
      }),
    output: () => Buffer.concat(out.map((o) => o.data)),
  };
}
