import type { StackStatus } from '../../stack/status.js';
import { formatTable } from './table.js';

/** Prints a stack's status: the JSON of the CLI contract, or a table. */
export function printStatus(
  status: StackStatus,
  o: { json: boolean; out: NodeJS.WritableStream; startupMs?: number },
): void {
  if (o.json) {
    o.out.write(
      JSON.stringify(
        { ...status, ...(o.startupMs !== undefined ? { startupMs: o.startupMs } : {}) },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  o.out.write(
    formatTable(
      ['component', 'kind', 'healthy', 'endpoint', 'pid', 'metrics'],
      status.components.map((c) => [
        c.name,
        c.kind,
        c.healthy ? 'yes' : `NO ${c.detail ?? ''}`.trim(),
        c.endpoint,
        c.pid,
        c.metrics,
      ]),
    ),
  );
  const r = status.replication;
  o.out.write(
    `replication: ${r.running ? 'running' : 'NOT running'}, lag ${r.lagSeconds === null ? 'unknown' : `${r.lagSeconds} s`}` +
      `${r.lastError ? ` (${r.lastError})` : ''}\n`,
  );
}
