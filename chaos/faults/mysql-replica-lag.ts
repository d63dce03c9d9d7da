import { defineFault, FaultSpecError, onlyParams } from '../fault.js';

const delaySql = (seconds: number) => [
  'STOP SLAVE',
  `CHANGE MASTER TO MASTER_DELAY = ${seconds}`,
  'START SLAVE',
];

/**
 * Makes the replica fall behind: `mode=stop` (default) stops its SQL thread so nothing is applied
 * for the fault's duration; `mode=delay` sets MASTER_DELAY=`delay` seconds instead. Healing
 * restarts the SQL thread (and resets the delay); the replica then catches up.
 */
export const mysqlReplicaLag = defineFault({
  kind: 'mysql-replica-lag',
  description: "stop the replica's SQL thread (or set MASTER_DELAY) so reads go stale, then let it catch up",
  usage: 'mode=stop|delay, delay=SECONDS (mode=delay)',
  prepare(spec) {
    onlyParams(spec, ['mode', 'delay']);
    const mode = spec.params.mode ?? 'stop';
    if (mode !== 'stop' && mode !== 'delay')
      throw new FaultSpecError(`${spec.kind}: mode must be stop or delay`);
    const delay = Number(spec.params.delay ?? '5');
    if (!Number.isInteger(delay) || delay < 1 || delay > 3600)
      throw new FaultSpecError(`${spec.kind}: delay must be 1..3600 seconds`);
    return { mode, delay } as const;
  },
  target: (p) => `mysql-replica (${p.mode === 'stop' ? 'SQL thread stopped' : `MASTER_DELAY=${p.delay}`})`,
  async start(ctx, p) {
    const conn = await ctx.mysql('replica');
    try {
      if (p.mode === 'stop') await conn.query('STOP SLAVE SQL_THREAD');
      else for (const sql of delaySql(p.delay)) await conn.query(sql);
    } finally {
      await conn.end();
    }
    let healed: Promise<void> | undefined;
    return {
      stop: () =>
        (healed ??= (async () => {
          const c = await ctx.mysql('replica');
          try {
            if (p.mode === 'stop') await c.query('START SLAVE SQL_THREAD');
            else for (const sql of delaySql(0)) await c.query(sql);
          } finally {
            await c.end();
          }
        })()),
    };
  },
});
