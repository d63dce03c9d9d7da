import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { OpName } from './schema.js';

/**
 * The run history (Jepsen-style): the only contract between running and judging. One JSON object
 * per line: a `meta` line first, then for every operation an `invoke` line when it starts and
 * exactly one completion line — `ok` (it happened), `fail` (it definitely did not happen) or
 * `info` (unknown: deadline exceeded, connection lost; it may or may not have happened).
 */
export interface HistoryMeta {
  type: 'meta';
  version: 1;
  runId: string;
  scenario: string;
  seed: number;
  /** Wall clock of t = 0 (epoch ms); every `t` is milliseconds since then. */
  startedAtMs: number;
  stackDir?: string;
  /** Free-form extras (lock strategy, faults planned). */
  extra?: Record<string, unknown>;
}

export type CompletionType = 'ok' | 'fail' | 'info';

export interface InvokeLine {
  type: 'invoke';
  /** Operation id, unique in the run; its completion line carries the same id. */
  id: number;
  /** The logical client (virtual user / arrival slot) that ran it. */
  process: number;
  f: OpName;
  /** When the operation was actually sent (ms since start). */
  t: number;
  /** When the open-model schedule wanted it sent; latency is measured from here. */
  intended: number;
  value: Record<string, unknown>;
}

export interface CompletionLine {
  type: CompletionType;
  id: number;
  process: number;
  f: OpName;
  t: number;
  /** Latency in ms, from the intended start (open model) or the send time (closed model). */
  latencyMs: number;
  value: Record<string, unknown>;
}

export type HistoryLine = HistoryMeta | InvokeLine | CompletionLine;

/** An operation with its invocation and completion joined (completion absent if the run was cut). */
export interface Operation {
  id: number;
  process: number;
  f: OpName;
  invoke: InvokeLine;
  completion?: CompletionLine;
}

/** Appends history lines to a file through one buffered stream. */
export class HistoryWriter {
  private readonly stream: WriteStream;

  constructor(
    readonly file: string,
    meta: HistoryMeta,
  ) {
    this.stream = createWriteStream(file, { flags: 'w' });
    this.write(meta);
  }

  write(line: HistoryLine): void {
    this.stream.write(JSON.stringify(line) + '\n');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Reads a history file: its meta line and every operation (invocations joined with completions). */
export async function readHistory(file: string): Promise<{ meta: HistoryMeta; operations: Operation[] }> {
  let meta: HistoryMeta | undefined;
  const ops = new Map<number, Operation>();
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (!text.trim()) continue;
    let line: HistoryLine;
    try {
      line = JSON.parse(text) as HistoryLine;
    } catch {
      throw new Error(`${file}:${n}: not JSON`);
    }
    if (line.type === 'meta') meta = line;
    else if (line.type === 'invoke')
      ops.set(line.id, { id: line.id, process: line.process, f: line.f, invoke: line });
    else {
      const op = ops.get(line.id);
      if (!op) throw new Error(`${file}:${n}: completion of operation ${line.id} that was never invoked`);
      if (op.completion) throw new Error(`${file}:${n}: operation ${line.id} completed twice`);
      op.completion = line;
    }
  }
  if (!meta) throw new Error(`${file}: no meta line`);
  return { meta, operations: [...ops.values()].sort((a, b) => a.id - b.id) };
}
