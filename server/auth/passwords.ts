import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { createRequire } from 'node:module';

// scrypt from node:crypto (RFC 7914); N=2^15 takes about 50 ms here, which throttles guessing.
const PARAMS = { N: 32768, r: 8, p: 1 };
const KEYLEN = 32;

function derive(password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEYLEN, { ...o, maxmem: 128 * o.N! * o.r! * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** "scrypt$N$r$p$salt$hash", salt and hash in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/**
 * Passwords refused everywhere one is set: the 49,000 most common passwords of zxcvbn-ts's maintained
 * list (from real leaks; 11111111 and iloveyou among them), and a few this project would invite.
 * Compared without case. Built on first use: the list takes a few MB.
 */
let common: Set<string> | null = null;
function commonPasswords(): Set<string> {
  // Required here, not imported: decompressing the dictionaries costs the start a third of a second.
  const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  common ??= new Set([...dictionary['passwords-common'], 'demo1234', 'wangge123', 'wangge1234', 'admin123', 'admin1234'].map((p) => p.toLowerCase()));
  return common;
}

export type PasswordWeakness = 'too-short' | 'too-long' | 'too-common';

/** Why a password may not be set, or null. The demo seeding alone may keep demo1234. */
export function passwordWeakness(password: string, { allowDemo = false } = {}): PasswordWeakness | null {
  if (password.length < PASSWORD_MIN) return 'too-short';
  if (password.length > PASSWORD_MAX) return 'too-long';
  if (commonPasswords().has(password.toLowerCase()) && !(allowDemo && password === 'demo1234')) return 'too-common';
  return null;
}

/** A reason the password is too weak, in English (the command line), or null. */
export function weakPassword(password: string, options: { allowDemo?: boolean } = {}): string | null {
  const weakness = passwordWeakness(password, options);
  if (weakness === 'too-short') return `must be at least ${PASSWORD_MIN} characters`;
  if (weakness === 'too-long') return `must be at most ${PASSWORD_MAX} characters`;
  if (weakness === 'too-common') return 'is one of the most common passwords';
  return null;
}
