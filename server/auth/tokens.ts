import { createHash, randomBytes } from 'node:crypto';

/** A new secret for a cookie or an API token: 256 random bits. */
export const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
