import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from './password.js';

// Cheap cost for unit tests; the service's default is log2N = 14.
const hasher = createPasswordHasher({ log2N: 10, r: 8, p: 1, keyLength: 32 });

describe('scrypt password hasher', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery');
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify('correct horse battery', stored)).toBe(true);
    expect(await hasher.verify('correct horse batterY', stored)).toBe(false);
    expect(await hasher.verify('', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('verifies a hash made with other parameters (cost can change)', async () => {
    const old = createPasswordHasher({ log2N: 11, r: 4, p: 2, keyLength: 16 });
    const stored = await old.hash('pässwörd!');
    expect(await hasher.verify('pässwörd!', stored)).toBe(true);
  });

  it('treats malformed or absurd stored hashes as a mismatch, not a crash', async () => {
    for (const stored of [
      '',
      'plain',
      '$scrypt$ln=10,r=8,p=1$AAAA$BBBB',
      '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect(await hasher.verify('whatever1', stored)).toBe(false);
    }
  });

  it('burns a hash for unknown users', async () => {
    expect(await hasher.burn('x')).toBe(false);
  });

  it('runs off the event loop: timers keep firing while hashes are computed', async () => {
    const slow = createPasswordHasher({ log2N: 14, r: 8, p: 1, keyLength: 32 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = Date.now();
    await Promise.all([slow.hash('a-password'), slow.hash('b-password')]);
    const elapsed = Date.now() - t0;
    clearInterval(timer);
    // A blocking hash would starve the timer; expect it to tick for a good part of the time.
    expect(ticks).toBeGreaterThan(elapsed / 10);
  });
});
