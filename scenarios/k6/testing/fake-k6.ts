import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One gRPC call the script made through the stand-in `k6/net/grpc`. */
export interface FakeCall {
  vu: number;
  address: string;
  method: string;
  request: Record<string, unknown>;
  params: { tags?: Record<string, string>; timeout?: string; metadata?: Record<string, string> };
}

/** What a run of the script in the stand-in k6 recorded. */
export interface FakeRun {
  options: unknown;
  loaded: { dirs: string[]; file: string }[];
  calls: FakeCall[];
  metrics: { name: string; value: number | boolean; tags?: Record<string, string> }[];
}

// Stand-ins for the k6 modules the script imports, just enough to run its logic in Node: every
// call and metric sample is recorded; responses come from a reply rule chosen by the test.
const MODULES: Record<string, string> = {
  'net/grpc.js': `const k = () => globalThis.__k6;
class Client {
  load(dirs, file) { k().run.loaded.push({ dirs, file }); }
  connect(address) { this.address = address; }
  invoke(method, request, params) {
    if (!this.address) throw new Error('invoke before connect');
    const call = { vu: k().vu, address: this.address, method, request: JSON.parse(JSON.stringify(request)), params };
    k().run.calls.push(call);
    return k().reply(call, k().run.calls.length);
  }
  close() {}
}
export default { Client, StatusOK: 0, StatusDeadlineExceeded: 4 };`,
  'metrics.js': `class Metric { constructor(name) { this.name = name; } add(value, tags) { globalThis.__k6.run.metrics.push({ name: this.name, value, tags }); } }
export class Counter extends Metric {}
export class Rate extends Metric {}`,
  'data.js': `export class SharedArray { constructor(_name, fn) { return Object.freeze(fn()); } }`,
  'execution.js': `export default { vu: { get idInTest() { return globalThis.__k6.vu; } } };`,
};

const DRIVER = `import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [script, env, plan, reply] = process.argv.slice(2);
const run = { loaded: [], calls: [], metrics: [] };
globalThis.__ENV = JSON.parse(env);
globalThis.open = (p) => readFileSync(p, 'utf8');
globalThis.__k6 = { run, vu: 0, reply: new Function('call', 'n', reply) };
// One module instance per VU, as k6 gives every VU its own runtime.
for (const { vu, iterations } of JSON.parse(plan)) {
  globalThis.__k6.vu = vu;
  const mod = await import(pathToFileURL(script).href + '?vu=' + vu);
  run.options = mod.options;
  for (let i = 0; i < iterations; i++) mod.default();
}
process.stdout.write(JSON.stringify(run));`;

/**
 * Runs an exported script's logic in Node with stand-ins for k6's modules (no k6 binary and no
 * services: this checks what the script sends, not how k6 runs it). `reply` is the body of a
 * function (call, n) returning the response `{status, message}` of the n-th call.
 */
export function runInFakeK6(
  script: string,
  o: { env: Record<string, string>; vus: { vu: number; iterations: number }[]; reply?: string },
): FakeRun {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-k6-'));
  try {
    const pkg = join(dir, 'node_modules', 'k6');
    mkdirSync(join(pkg, 'net'), { recursive: true });
    const exports = Object.fromEntries(
      Object.keys(MODULES).map((f) => [`./${f.replace(/\.js$/, '')}`, `./${f}`]),
    );
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'k6', type: 'module', exports }));
    for (const [file, text] of Object.entries(MODULES)) writeFileSync(join(pkg, file), text);
    writeFileSync(join(dir, 'script.mjs'), script);
    writeFileSync(join(dir, 'driver.mjs'), DRIVER);
    const reply = o.reply ?? `return { status: 0, message: {} };`;
    const out = execFileSync(
      process.execPath,
      [join(dir, 'driver.mjs'), join(dir, 'script.mjs'), JSON.stringify(o.env), JSON.stringify(o.vus), reply],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return JSON.parse(out) as FakeRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a tokens file of `n` buyers (as `ecom seed` does) into a fresh temp dir; returns its path. */
export function writeTokensFile(n: number): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ecom-k6-tokens-'));
  const file = join(dir, 'tokens.json');
  const list = Array.from({ length: n }, (_, i) => ({
    userId: `u-${i + 1}`,
    accessToken: `token-of-u-${i + 1}`,
  }));
  writeFileSync(file, JSON.stringify(list));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
