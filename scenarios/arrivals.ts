import { executorDurationMs, type Executor } from './schema.js';

/**
 * The open-model schedule of an arrival-rate executor: when the i-th iteration is due (ms from
 * the start), following k6's semantics — constant-arrival-rate starts `rate` iterations per second
 * evenly spaced; ramping-arrival-rate moves the rate linearly from each stage's start rate to its
 * target over the stage.
 */
export interface ArrivalSchedule {
  durationMs: number;
  /** Intended start of the i-th arrival (0-based), or Infinity if it falls after the end. */
  timeOf(i: number): number;
  /** Arrivals in the whole run. */
  total: number;
}

interface Segment {
  from: number;
  to: number;
  r0: number;
  r1: number;
  /** Arrivals before this segment. */
  before: number;
}

export function arrivalSchedule(executor: Executor): ArrivalSchedule {
  if (executor.type === 'constant-vus')
    throw new Error('constant-vus is a closed model: it has no arrival schedule');
  const segments: Segment[] = [];
  if (executor.type === 'constant-arrival-rate') {
    segments.push({ from: 0, to: executor.duration, r0: executor.rate, r1: executor.rate, before: 0 });
  } else {
    let t = 0;
    let rate = executor.startRate;
    let before = 0;
    for (const s of executor.stages) {
      segments.push({ from: t, to: t + s.duration, r0: rate, r1: s.target, before });
      before += (((rate + s.target) / 2) * s.duration) / 1000;
      t += s.duration;
      rate = s.target;
    }
  }
  // Arrivals (fractional) by time t within a segment: ∫ rate = r0·x + (r1−r0)·x²/(2·len), x in s.
  const cumulative = (s: Segment, t: number) => {
    const x = (t - s.from) / 1000;
    const len = (s.to - s.from) / 1000;
    return s.before + s.r0 * x + (len > 0 ? ((s.r1 - s.r0) * x * x) / (2 * len) : 0);
  };
  const durationMs = executorDurationMs(executor);
  const exact = (t: number) => {
    const s = segments.find((seg) => t < seg.to) ?? segments[segments.length - 1]!;
    return cumulative(s, Math.min(t, s.to));
  };
  // Arrival i is due when the cumulative count first exceeds i (the first one at t = 0).
  const total = Math.ceil(exact(durationMs) - 1e-9);
  const timeOf = (i: number): number => {
    if (i >= total) return Infinity;
    const s = segments.find((seg) => cumulative(seg, seg.to) > i + 1e-9);
    if (!s) return Infinity;
    const need = i - s.before;
    const len = (s.to - s.from) / 1000;
    const a = len > 0 ? (s.r1 - s.r0) / (2 * len) : 0;
    let x: number;
    if (Math.abs(a) < 1e-12) x = s.r0 > 0 ? need / s.r0 : 0;
    else x = (-s.r0 + Math.sqrt(Math.max(0, s.r0 * s.r0 + 4 * a * need))) / (2 * a);
    return s.from + Math.max(0, x) * 1000;
  };
  return {
    durationMs,
    total,
    timeOf,
  };
}
