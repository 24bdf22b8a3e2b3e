import { createHash, createHmac, randomBytes } from 'node:crypto';

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

/**
 * The refresh token that succeeds `spent`: an HMAC of it under a key derived from the
 * server secret. Deterministic, so a second refresh of the same token within the grace
 * (two tabs at once, a retry after a lost answer) is answered with the very successor the
 * first one stored, on any instance, without the raw token ever being stored.
 */
export function successorOf(spent: string, key: Buffer): string {
  return createHmac('sha256', key).update(spent, 'utf8').digest('base64url');
}

/** The successor key, derived so the JWT signing key is never used as is for a second purpose. */
export function successorKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('numerai refresh-token successor v1').digest();
}
