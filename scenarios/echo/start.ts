import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { distRoot } from '../../platform/paths.js';

/** A running echo server process; see main.ts. */
export interface StartedEcho {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the echo server as a child process (stdin is its lifeline) and waits for its port. */
export async function startEchoServer(): Promise<StartedEcho> {
  const child = spawn(process.execPath, [join(distRoot(), 'scenarios', 'echo', 'main.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [null])])) as [
    string | null,
  ];
  if (!first) throw new Error('the echo server exited before it listened');
  const { port } = JSON.parse(first) as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
