import type { StackState } from '../../stack/types.js';
import { defineFault, FaultSpecError, onlyParams, type FaultContext } from '../fault.js';
import { parseDuration } from '../../scenarios/duration.js';

/** The HTTP base URLs of the gateway simulator instances (their admin API lives there). */
function gatewayUrls(state: StackState): string[] {
  return state.components
    .filter((c) => c.service === 'gateway' && c.metrics)
    .map((c) => c.metrics!.replace(/\/metrics$/, ''));
}

async function patchBehaviour(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${url}/admin/behaviour`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`gateway ${url}/admin/behaviour: ${res.status} ${await res.text()}`);
  return res.json();
}

async function currentBehaviour(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/admin/behaviour`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`gateway ${url}/admin/behaviour: ${res.status}`);
  const b = (await res.json()) as Record<string, unknown>;
  const { burst: _burst, ...rest } = b;
  return { ...rest, burst: null };
}

/** Sets a behaviour patch on every gateway instance; healing restores what each had before. */
async function applyToGateways(ctx: FaultContext, patch: Record<string, unknown>) {
  const urls = gatewayUrls(ctx.state);
  const before = await Promise.all(urls.map(currentBehaviour));
  await Promise.all(urls.map((u) => patchBehaviour(u, patch)));
  let healed: Promise<void> | undefined;
  return {
    stop: () =>
      (healed ??= Promise.all(urls.map((u, i) => patchBehaviour(u, before[i]))).then(() => undefined)),
  };
}

function requireGateway(state: StackState, kind: string): void {
  if (gatewayUrls(state).length === 0)
    throw new FaultSpecError(`${kind}: this stack runs no gateway instance`);
}

/** The payment provider answers slowly (log-normal latency with the given median and p99). */
export const gatewaySlow = defineFault({
  kind: 'gateway-slow',
  description: 'the payment gateway answers slowly (latency=p50, p99=…)',
  usage: 'latency=DURATION (median, default 500ms), p99=DURATION (default 4×latency)',
  prepare(spec, state) {
    onlyParams(spec, ['latency', 'p99']);
    requireGateway(state, spec.kind);
    const p50 = parseDuration(spec.params.latency ?? '500ms');
    if (p50 === null)
      throw new FaultSpecError(`${spec.kind}: latency=${spec.params.latency} is not a duration`);
    const p99 = spec.params.p99 === undefined ? p50 * 4 : parseDuration(spec.params.p99);
    if (p99 === null || p99 < p50) throw new FaultSpecError(`${spec.kind}: p99 must be a duration ≥ latency`);
    return { p50, p99 };
  },
  target: (p) => `gateway (p50 ${p.p50} ms, p99 ${p.p99} ms)`,
  start: (ctx, p) => applyToGateways(ctx, { latencyMs: { p50: p.p50, p99: p.p99 } }),
});

/** The payment provider fails: 5xx before processing, or after committing (the nasty case), or timeouts. */
export const gatewayErrors = defineFault({
  kind: 'gateway-errors',
  description:
    'the payment gateway fails a share of requests (5xx before or after committing, or never answers)',
  usage: 'rate=0..1 (default 0.5), after-commit=0..1, timeouts=0..1',
  prepare(spec, state) {
    onlyParams(spec, ['rate', 'after-commit', 'timeouts']);
    requireGateway(state, spec.kind);
    const share = (k: string, d: number) => {
      const v = Number(spec.params[k] ?? d);
      if (!(v >= 0 && v <= 1)) throw new FaultSpecError(`${spec.kind}: ${k} must be a number in 0..1`);
      return v;
    };
    return {
      errorRate: share('rate', 0.5),
      errorAfterCommitRate: share('after-commit', 0),
      timeoutRate: share('timeouts', 0),
    };
  },
  target: (p) =>
    `gateway (errors ${p.errorRate}, after commit ${p.errorAfterCommitRate}, timeouts ${p.timeoutRate})`,
  start: (ctx, p) => applyToGateways(ctx, p),
});
