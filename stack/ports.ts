import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Ports are drawn from below Linux's ephemeral range (32768–60999), so an outgoing connection can
 * never take a port between the moment it is chosen and the moment our server binds it.
 */
const RANGE = { from: 20_000, to: 32_000 };

/**
 * Ports chosen by running processes are claimed in a shared folder (one directory per port,
 * created atomically with mkdir, holding the claimant's pid), so two stacks starting at the same
 * moment — parallel test files — never pick the same port. A claim whose process is gone is stale
 * and can be taken over.
 */
function claimsDir(): string {
  return process.env.ECOM_PORT_CLAIMS ?? path.join(os.tmpdir(), 'ecom-port-claims');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims a port for this process; false if a live process holds it. */
function claim(port: number): boolean {
  const dir = path.join(claimsDir(), String(port));
  fs.mkdirSync(claimsDir(), { recursive: true });
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
    } catch {
      // being written right now: treat as taken
      return false;
    }
    if (Number.isInteger(owner) && alive(owner)) return false;
  }
  fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
  return true;
}

/** True if 127.0.0.1:port can be bound right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that is free and claimed for this process (see above). The caller
 * binds it soon; the claim is released when this process exits (its pid is gone).
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** `n` distinct free ports on 127.0.0.1, claimed for this process. */
export async function freePorts(n: number): Promise<number[]> {
  if (!Number.isInteger(n) || n < 0) throw new Error(`freePorts: n must be a non-negative integer, got ${n}`);
  const chosen: number[] = [];
  for (let attempts = 0; chosen.length < n; attempts++) {
    if (attempts > 50 * n + 1000)
      throw new Error(`freePorts: could not find ${n} free ports in ${RANGE.from}–${RANGE.to}`);
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from));
    if (chosen.includes(port) || !claim(port)) continue;
    if (await bindable(port)) chosen.push(port);
  }
  return chosen;
}

/** Releases this process's claims (a supervisor does it when its stack stops). */
export function releasePorts(ports: number[]): void {
  for (const port of ports) {
    const dir = path.join(claimsDir(), String(port));
    try {
      if (Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8')) === process.pid)
        fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
}
