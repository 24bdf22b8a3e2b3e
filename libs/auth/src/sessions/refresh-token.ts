import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: what the client holds. Only its hash is ever stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256, unsalted: the input is 256 random bits, so there is nothing to brute-force
 * and a lookup by hash stays one indexed read.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
