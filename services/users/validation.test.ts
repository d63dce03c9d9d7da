import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgument, Unauthenticated } from '../../platform/errors.js';
import {
  checkRefreshToken,
  checkUserId,
  normaliseDisplayName,
  normaliseEmail,
  normalisePassword,
} from './validation.js';

function fieldOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgument);
    return (err as InvalidArgument).field;
  }
}

describe('normaliseEmail', () => {
  it('lower-cases and NFC-normalises', () => {
    expect(normaliseEmail('Alice.Smith+shop@Example.COM')).toBe('alice.smith+shop@example.com');
    // U+212A KELVIN SIGN is canonically K.
    expect(normaliseEmail('\u212Aelvin@x.io')).toBe('kelvin@x.io');
  });

  it.each([
    '',
    'plain',
    '@x.io',
    'a@',
    'a@io',
    'a..b@x.io',
    '.a@x.io',
    'a b@x.io',
    'a@-x.io',
    'a@x..io',
    'ü@x.io',
    'a@bücher.de',
    'a\u0000@x.io',
    `${'a'.repeat(65)}@x.io`,
    `a@${'b'.repeat(250)}.io`,
    'x'.repeat(5000),
  ])('refuses %j naming the field', (email) => {
    expect(fieldOf(() => normaliseEmail(email))).toBe('email');
  });

  it('accepts generated addresses and is idempotent', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (e) => {
        if (e.length > 254 || e.split('@')[0]!.length > 64) return;
        const n = normaliseEmail(e);
        expect(normaliseEmail(n)).toBe(n);
      }),
    );
  });
});

describe('normalisePassword', () => {
  it('counts code points and keeps everything else', () => {
    expect(normalisePassword('😀😀😀😀😀😀😀😀')).toHaveLength(16);
    expect(fieldOf(() => normalisePassword('😀😀😀😀😀😀😀'))).toBe('password');
    expect(fieldOf(() => normalisePassword('x'.repeat(129)))).toBe('password');
    expect(normalisePassword('e\u0301'.repeat(8))).toBe('é'.repeat(8));
  });
});

describe('normaliseDisplayName', () => {
  it('trims, normalises and accepts printable unicode', () => {
    expect(normaliseDisplayName('  Zoë 👩‍💻 ')).toBe('Zoë 👩‍💻');
    expect(normaliseDisplayName('李小龍')).toBe('李小龍');
  });

  it.each([
    '',
    '   ',
    'a\nb',
    'tab\there',
    'bell\u0007',
    'rtl\u202Eevil',
    'line\u2028sep',
    '\u200B',
    '\u0301',
    'x'.repeat(101),
  ])('refuses %j naming the field', (name) => {
    expect(fieldOf(() => normaliseDisplayName(name))).toBe('display_name');
  });
});

describe('any input', () => {
  it('either normalises or throws InvalidArgument naming the field', () => {
    const inputs = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ maxLength: 3000 }),
    );
    fc.assert(
      fc.property(inputs, (s) => {
        for (const [f, field] of [
          [normaliseEmail, 'email'],
          [normalisePassword, 'password'],
          [normaliseDisplayName, 'display_name'],
          [checkUserId, 'user_id'],
        ] as const) {
          const got = fieldOf(() => f(s));
          if (got !== undefined) expect(got).toBe(field);
        }
      }),
      { numRuns: 250 },
    );
  });
});

describe('ids and refresh tokens', () => {
  it('checks user ids', () => {
    expect(checkUserId('0b6c3c1e-4b7a-4c50-9d7e-0f5f9d0b5a11')).toBeTruthy();
    expect(fieldOf(() => checkUserId('../etc'))).toBe('user_id');
  });

  it('refresh tokens: empty is INVALID_ARGUMENT, garbled is UNAUTHENTICATED', () => {
    expect(fieldOf(() => checkRefreshToken(''))).toBe('refresh_token');
    expect(() => checkRefreshToken('rt_short')).toThrow(Unauthenticated);
    expect(checkRefreshToken(`rt_${'A'.repeat(43)}`)).toHaveLength(46);
  });
});
