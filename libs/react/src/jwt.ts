import { decodeJwtClaims } from './sdk';

/**
 * The user id (`sub`) inside a JWT, read without verifying it: only to tell "my" messages
 * from the others' in the UI. The server verifies every token it receives.
 */
export function userIdFromToken(token: string | null | undefined): string | null {
  const sub = decodeJwtClaims(token)?.sub;
  return typeof sub === 'string' ? sub : null; // Unreadable: the UI then cannot tell own messages apart.
}
