import { Injectable } from '@nestjs/common';
import { Authenticator, InvalidTokenError } from '@numerai/auth';
import type { ServerFrameMap } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import { SessionRevocations } from './session-revocations';
import { WsError } from './ws-error';

/** The built-in `auth` frame: a fresh token for the same user extends the connection's life. */
@Injectable()
export class SessionRenewal {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly revocations: SessionRevocations,
  ) {}

  async renew(connection: ClientConnection, token: string): Promise<ServerFrameMap['auth_ok']> {
    let principal;
    try {
      principal = await this.authenticator.authenticate(token);
    } catch (error) {
      // Only a bad token is `unauthorized`; an outage goes on as `internal` (logged by the exception filter).
      if (error instanceof InvalidTokenError) throw new WsError('unauthorized', 'The token is invalid or expired');
      throw error;
    }
    if (principal.id !== connection.userId) throw new WsError('unauthorized', 'The token belongs to another user');
    // Its session may have ended between the check above and now (the event has passed by).
    if (this.revocations.wasRevoked(principal.sid)) throw new WsError('unauthorized', 'The session has ended');
    connection.user = principal;
    connection.expiresAt = principal.exp;
    return { type: 'auth_ok', expires_at: new Date(principal.exp * 1000).toISOString() };
  }
}
