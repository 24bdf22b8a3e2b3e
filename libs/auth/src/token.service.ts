import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '@numerai/config';
import { USER_ROLES, UserRole } from '@numerai/common';
import { UserEntity } from '@numerai/users';
import type { Principal } from '@numerai/common';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

interface Claims {
  sub: string;
  name: string;
  role: UserRole;
  sid: string;
  exp: number;
}

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

/** Issues and checks HS256 access tokens. Only HS256 is accepted: no `alg:none`, no RS/HS confusion. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  /** An access token of session `sid`: it stops working when that session is revoked, or at `exp`. */
  async issue(
    user: Pick<UserEntity, 'id' | 'fullName' | 'role'>,
    sid: string,
    expiresInSeconds?: number,
  ): Promise<IssuedToken> {
    const expiresIn = expiresInSeconds ?? this.config.jwt.expiresInSeconds;
    const access_token = await this.jwt.signAsync(
      { sub: user.id, name: user.fullName, role: user.role, sid },
      { algorithm: 'HS256', expiresIn },
    );
    return { access_token, token_type: 'Bearer', expires_in: expiresIn };
  }

  /**
   * Signature, expiry and not-before checked; claims shape checked too, since a valid
   * signature is not a valid payload. A token without `sid` could never be revoked, so it is refused.
   */
  async verify(token: string): Promise<Principal> {
    let claims: Partial<Claims>;
    try {
      claims = await this.jwt.verifyAsync<Partial<Claims>>(token, { algorithms: ['HS256'] });
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error && error.name === 'TokenExpiredError' ? 'expired' : 'invalid');
    }
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.name !== 'string' ||
      typeof claims.sid !== 'string' ||
      !USER_ROLES.includes(claims.role as UserRole)
    ) {
      throw new InvalidTokenError('invalid');
    }
    return { id: claims.sub, name: claims.name, role: claims.role as UserRole, exp: claims.exp, sid: claims.sid };
  }
}
