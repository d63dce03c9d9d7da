import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The headless Chromium binary (Debian's `chromium` package). Throws — so a test FAILS, never
 * skips — with the install command when it is missing.
 */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_BIN, 'chromium', 'chromium-browser'].filter((c): c is string =>
    Boolean(c),
  );
  for (const c of candidates) {
    if (c.includes('/')) {
      if (existsSync(c)) return c;
      continue;
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir && existsSync(join(dir, c))) return join(dir, c);
    }
  }
  throw new Error(
    "headless Chromium is required by the HTML report tests but was not found: install Debian's `chromium` package " +
      '(apt-get install -y chromium, or `ecom doctor --fix --optional`), or set CHROMIUM_BIN',
  );
}

/**
 * Headless, as root, on a machine with no outside network: without the background-networking
 * flags Chromium keeps trying (and failing) to reach Google's hosts.
 */
export const HEADLESS_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
];

/** Runs headless Chromium on a local file with a fresh profile; resolves to its stdout. */
async function chromium(file: string, extra: string[]): Promise<string> {
  const bin = findChromium();
  const profile = mkdtempSync(join(tmpdir(), 'ecom-chromium-'));
  try {
    const { stdout } = await run(
      bin,
      [...HEADLESS_FLAGS, `--user-data-dir=${profile}`, ...extra, pathToFileURL(file).href],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/** The DOM after load (scripts run), serialised by Chromium. */
export function dumpDom(file: string): Promise<string> {
  return chromium(file, ['--dump-dom']);
}

/** Writes a PNG screenshot of the page at the given window size. */
export async function screenshot(file: string, png: string, width: number, height: number): Promise<void> {
  await chromium(file, [`--screenshot=${png}`, `--window-size=${width},${height}`]);
}
