import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { findChromium, HEADLESS_FLAGS } from '../../../scenarios/html/testing/chromium.js';

/** A page in headless Chromium driven over the DevTools protocol (tests only). */
export interface CdpPage {
  /** Evaluates an expression in the page; resolves to its (JSON-serialisable) value. */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG screenshot of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium (Debian's `chromium`; throws with the install hint when missing),
 * opens `url` in a `width`×`height` viewport and returns the page. Unlike --dump-dom, the page
 * stays open, so live pages (server-sent events) can be watched over time.
 */
export async function openPage(url: string, width = 1280, height = 1100): Promise<CdpPage> {
  const profile = mkdtempSync(join(tmpdir(), 'ecom-cdp-'));
  const child: ChildProcess = spawn(
    findChromium(),
    [
      ...HEADLESS_FLAGS,
      '--remote-debugging-port=0',
      '--remote-allow-origins=*',
      `--window-size=${width},${height}`,
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group, so the renderer and zygote helpers die with it (below).
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    const browserWs = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(
        () => reject(new Error(`chromium did not start: ${text.slice(-500)}`)),
        30_000,
      );
      child.stderr!.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${text.slice(-500)}`)));
    });
    const http = browserWs.replace(/^ws:/, 'http:').replace(/\/devtools\/browser\/.*$/, '');
    const target = (await (await fetch(`${http}/json/new?${encodeURI(url)}`, { method: 'PUT' })).json()) as {
      webSocketDebuggerUrl: string;
    };
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('cannot connect to the page')), { once: true });
    });
    let nextId = 1;
    const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
    ws.addEventListener('message', (ev) => {
      const msg = JSON.parse(String(ev.data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      const p = msg.id === undefined ? undefined : pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id!);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
    const send = <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return {
      async evaluate<T>(expression: string) {
        const r = await send<{ result: { value: T }; exceptionDetails?: { text: string } }>(
          'Runtime.evaluate',
          {
            expression,
            returnByValue: true,
          },
        );
        if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.text}`);
        return r.result.value;
      },
      async screenshot() {
        const r = await send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
        return Buffer.from(r.data, 'base64');
      },
      async close() {
        ws.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
