import { Injectable } from '@nestjs/common';
import type { Principal } from '@numerai/common';
import { UsersService } from '@numerai/users';
import { InvalidTokenError, TokenService } from './token.service';

/**
 * The one place a bearer token becomes a Principal, used by the REST guard and the
 * WebSocket upgrade alike: a good signature is not enough, the user must still exist.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new InvalidTokenError('missing');
    const principal = await this.tokens.verify(token);
    const user = await this.users.findById(principal.id);
    if (!user) throw new InvalidTokenError('unknown user');
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
