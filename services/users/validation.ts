import { InvalidArgument, Unauthenticated } from '../../platform/errors.js';

/** Inputs longer than this (UTF-16 units) are refused before any normalisation work. */
const MAX_RAW = 1024;

const EMAIL_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Control, surrogate, private-use, unassigned, line/paragraph separators and bidi overrides. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;
const VISIBLE = /[^\p{Z}\p{Cf}\p{M}]/u;
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REFRESH_TOKEN = /^rt_[A-Za-z0-9_-]{43}$/;

function text(raw: unknown, field: string): string {
  if (typeof raw !== 'string') throw new InvalidArgument(field, 'must be a string');
  if (raw.length === 0) throw new InvalidArgument(field, 'is required');
  if (raw.length > MAX_RAW) throw new InvalidArgument(field, `is too long (over ${MAX_RAW} characters)`);
  return raw;
}

const codePoints = (s: string) => [...s].length;

/**
 * The canonical form of an email address: NFC, lower-cased, at most 254 characters, ASCII
 * dot-atom local part (≤ 64) and a domain of at least two DNS labels (IDNs in punycode).
 */
export function normaliseEmail(raw: unknown, field = 'email'): string {
  const email = text(raw, field).normalize('NFC').toLowerCase();
  if (email.length > 254) throw new InvalidArgument(field, 'is longer than 254 characters');
  const at = email.lastIndexOf('@');
  if (at < 0) throw new InvalidArgument(field, 'is not an email address (no @)');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length === 0 || local.length > 64 || !EMAIL_LOCAL.test(local)) {
    throw new InvalidArgument(field, 'has an invalid local part (before @)');
  }
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => l.length > 63 || !DOMAIN_LABEL.test(l))) {
    throw new InvalidArgument(field, 'has an invalid domain (after @)');
  }
  return email;
}

/** A password to hash: NFC, 8..128 characters (code points). Any printable or not, as NIST advises. */
export function normalisePassword(raw: unknown, field = 'password'): string {
  const password = text(raw, field).normalize('NFC');
  const n = codePoints(password);
  if (n < 8) throw new InvalidArgument(field, 'must be at least 8 characters');
  if (n > 128) throw new InvalidArgument(field, 'must be at most 128 characters');
  return password;
}

/**
 * A display name: NFC, trimmed, 1..100 characters (code points) of printable Unicode with at least
 * one visible character; no control characters, line separators or bidi overrides.
 */
export function normaliseDisplayName(raw: unknown, field = 'display_name'): string {
  const name = text(raw, field).normalize('NFC').trim();
  if (NOT_PRINTABLE.test(name))
    throw new InvalidArgument(field, 'contains control or non-printable characters');
  if (!VISIBLE.test(name)) throw new InvalidArgument(field, 'must contain a visible character');
  if (codePoints(name) > 100) throw new InvalidArgument(field, 'must be at most 100 characters');
  return name;
}

/** A user id as the service issues them (UUIDs; anything 1..64 of [A-Za-z0-9_-] is well formed). */
export function checkUserId(raw: unknown, field = 'user_id'): string {
  const id = text(raw, field);
  if (!USER_ID.test(id)) throw new InvalidArgument(field, 'is not a user id');
  return id;
}

/**
 * A refresh token: missing or oversized is INVALID_ARGUMENT; present but not of our shape is
 * UNAUTHENTICATED (it is a credential, and it is simply not valid).
 */
export function checkRefreshToken(raw: unknown, field = 'refresh_token'): string {
  const token = text(raw, field);
  if (!REFRESH_TOKEN.test(token)) throw new Unauthenticated('invalid refresh token');
  return token;
}
