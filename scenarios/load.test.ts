import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinScenarios, loadScenario, ScenarioError } from './load.js';

const tmp = mkdtempSync(join(tmpdir(), 'ecom-scn-'));
const write = (name: string, text: string) => {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
};

describe('scenario files', () => {
  it('ships the four builtin scenarios, all valid', () => {
    expect(builtinScenarios()).toEqual(
      expect.arrayContaining(['black-friday', 'flash-sale', 'payment-storm', 'steady-mix']),
    );
    for (const name of builtinScenarios()) expect(loadScenario(name).name).toBe(name);
  });

  it('fills defaults', () => {
    const s = loadScenario('flash-sale');
    expect(s.executor).toMatchObject({ type: 'constant-arrival-rate', rate: 100, duration: 20_000 });
    expect(s.catalogue.stockPerSku).toBe(500);
    expect(s.payments).toEqual({ decline: 0.02, timeout: 0, error: 0 });
  });

  it('names the offending fields of a bad file', () => {
    const f = write(
      'bad.yaml',
      'name: Bad Name\ncatalogue: {skus: 0, stockPerSku: 1}\nusers: {count: 1}\nmix: {place-order: 1}\nexecutor: {type: constant-arrival-rate, rate: -1, duration: 10x}\n',
    );
    let message = '';
    try {
      loadScenario(f);
    } catch (err) {
      expect(err).toBeInstanceOf(ScenarioError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/bad\.yaml/);
    expect(message).toMatch(/name:/);
    expect(message).toMatch(/catalogue\.skus:/);
    expect(message).toMatch(/executor\.rate:/);
    expect(message).toMatch(/executor\.duration: "10x" is not a duration/);
  });

  it('rejects unknown keys, bad thresholds, bad YAML and missing files', () => {
    const base =
      'name: x\ncatalogue: {skus: 1, stockPerSku: 1}\nusers: {count: 1}\nmix: {place-order: 1}\nexecutor: {type: constant-vus, vus: 1, duration: 1s}\n';
    expect(() => loadScenario(write('k.yaml', base + 'stagez: []\n'))).toThrow(/Unrecognized key.*stagez/);
    expect(() => loadScenario(write('t.yaml', base + 'thresholds: ["p99 < fast"]\n'))).toThrow(
      /thresholds\.0: threshold/,
    );
    expect(() => loadScenario(write('y.yaml', 'name: [unclosed\n'))).toThrow(/not valid YAML/);
    expect(() => loadScenario('no-such-scenario')).toThrow(/neither a builtin/);
    expect(() => loadScenario(write('m.yaml', base.replace('place-order: 1', 'place-order: 0')))).toThrow(
      /mix: at least one operation/,
    );
  });
});
