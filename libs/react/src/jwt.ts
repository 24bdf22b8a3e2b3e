/**
 * The user id (`sub`) inside a JWT, read without verifying it: only to tell "my" messages
 * from the others' in the UI. The server verifies every token it receives.
 */
export function userIdFromToken(token: string | null | undefined): string | null {
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null; // Not a JWT we can read: the UI then cannot tell own messages apart.
  }
}
