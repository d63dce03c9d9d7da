import { parseDuration } from '../scenarios/duration.js';

/**
 * A fault spec from the command line: `kind:key=value,key=value`, e.g.
 * `zk-partition:target=inventory-1,at=5s,for=10s`. `at` (when it starts, from the start of the
 * load) and `for` (how long it lasts) are common to every fault; the rest are the fault's own.
 */
export interface FaultSpec {
  /** The text as given. */
  text: string;
  kind: string;
  atMs: number;
  forMs: number;
  params: Record<string, string>;
}

/** Parses a fault spec; throws an Error naming what is wrong. */
export function parseFaultSpec(text: string): FaultSpec {
  const m = /^([a-z][a-z0-9-]*)(?::(.*))?$/.exec(text.trim());
  if (!m)
    throw new Error(
      `fault "${text}" is not of the form kind:key=value,... (e.g. zk-partition:target=inventory-1,at=5s,for=10s)`,
    );
  const kind = m[1]!;
  const params: Record<string, string> = {};
  for (const part of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`fault "${text}": "${part}" is not key=value`);
    const key = part.slice(0, eq).trim();
    if (key in params) throw new Error(`fault "${text}": ${key} given twice`);
    params[key] = part.slice(eq + 1).trim();
  }
  const duration = (key: 'at' | 'for', fallback: number) => {
    const v = params[key];
    delete params[key];
    if (v === undefined) return fallback;
    const ms = parseDuration(v);
    if (ms === null) throw new Error(`fault "${text}": ${key}=${v} is not a duration like 500ms, 5s or 1m`);
    return ms;
  };
  return { text: text.trim(), kind, atMs: duration('at', 0), forMs: duration('for', 10_000), params };
}
