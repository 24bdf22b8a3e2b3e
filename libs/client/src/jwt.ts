/**
 * Claims of a JWT read without verifying it: the server verifies every token it receives;
 * the client only needs `sub` (whose messages are "mine") and `exp`/`iat` (when to renew).
 */
export function decodeJwtClaims(token: string | null | undefined): Record<string, unknown> | null {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null; // Not a JWT we can read.
  }
}

/** `exp` and (when present) `iat` of a JWT, in seconds since the epoch; null when it has no usable `exp`. */
export function tokenLifetime(token: string | null | undefined): { exp: number; iat?: number } | null {
  const claims = decodeJwtClaims(token);
  const exp = claims?.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return null;
  const iat = claims?.iat;
  return typeof iat === 'number' && Number.isFinite(iat) && iat < exp ? { exp, iat } : { exp };
}
