import { Injectable } from '@nestjs/common';
import type { Principal } from '@numerai/common';
import { UsersService } from '@numerai/users';
import { SessionService } from './sessions/session.service';
import { InvalidTokenError, TokenService } from './token.service';

/**
 * The one place a bearer token becomes a Principal, used by the REST guard, the WebSocket
 * upgrade and in-band `auth` alike: a good signature is not enough, the user must still
 * exist (not erased, not blocked) and the token's session must not have been revoked.
 *
 * The session is read from the database on every call, not from a revoked-set cached in
 * memory and fed by the bus: the database is the one record every instance shares and a
 * revocation is committed there before it is announced, so an instance that missed the
 * announcement (Redis away, or it started a second later) still refuses the token at once.
 * The cost is one primary-key read, run alongside the user read the check already made.
 * Open sockets are not re-checked per frame: the `session.revoked` event closes them.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new InvalidTokenError('missing');
    const principal = await this.tokens.verify(token);
    const [user, session] = await Promise.all([
      this.users.findById(principal.id),
      this.sessions.findById(principal.sid),
    ]);
    if (!user || user.deletedAt || user.blockedAt) throw new InvalidTokenError('unknown user');
    if (!session || session.userId !== user.id || session.revokedAt) throw new InvalidTokenError('session ended');
    return { ...principal, name: user.fullName, role: user.role };
  }
}

/** `Authorization: Bearer <jwt>` first, then `?token=` (browsers cannot set headers on a WebSocket). */
export function extractToken(authorization: string | undefined, url: string | undefined): string | undefined {
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  if (url) {
    const query = url.indexOf('?');
    if (query >= 0) return new URLSearchParams(url.slice(query + 1)).get('token') ?? undefined;
  }
  return undefined;
}
