import { Injectable } from '@nestjs/common';
import { ConflictError, NotAllowedError, type Principal, UnauthenticatedError } from '@numerai/common';
import type { UserEntity } from '@numerai/users';
import { toUserView, UsersService, UserView } from '@numerai/users';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { ChangePasswordDto } from './dto/session.dto';
import { PasswordHasher } from './password-hasher';
import { InvalidRefreshTokenError, SessionService } from './sessions/session.service';
import { IssuedToken, TokenService } from './token.service';

export interface AuthResult extends IssuedToken {
  refresh_token: string;
  user: UserView;
}

const BLOCKED = 'This account is blocked';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
  ) {}

  async register(dto: RegisterDto): Promise<AuthResult> {
    if (await this.users.findByEmail(dto.email)) throw new ConflictError('email is already registered');
    let user: UserEntity;
    try {
      user = await this.users.create({
        email: dto.email,
        passwordHash: await this.hasher.hash(dto.password),
        fullName: dto.full_name,
        role: dto.role ?? 'user',
      });
    } catch (error) {
      // Two registrations racing for one email: the unique index decides, the loser gets the same 409.
      if (await this.users.findByEmail(dto.email)) throw new ConflictError('email is already registered');
      throw error;
    }
    return this.session(user);
  }

  async login(dto: LoginDto): Promise<AuthResult> {
    const user = await this.users.findByEmail(dto.email);
    const ok = await this.hasher.verify(user?.passwordHash, dto.password);
    if (!user || !ok) throw new UnauthenticatedError('Invalid email or password');
    // Only after the password: whether an account is blocked is told to its owner alone.
    if (user.blockedAt) throw new NotAllowedError(BLOCKED);
    return this.session(user);
  }

  /**
   * A new session for `user`, as just read and checked: a short access token and the first
   * refresh token. Refused if the password changed or the user was blocked or erased since
   * (a login racing those must not outlive them): 401 as for a wrong password, 403 if blocked.
   */
  async session(user: UserEntity): Promise<AuthResult> {
    const started = await this.sessions.start({ userId: user.id, passwordHash: user.passwordHash });
    if (!started) {
      if ((await this.users.findById(user.id))?.blockedAt) throw new NotAllowedError(BLOCKED);
      throw new UnauthenticatedError('Invalid email or password');
    }
    return this.answer(user, started.session.id, started.refreshToken);
  }

  async refresh(refreshToken: string): Promise<AuthResult> {
    const invalid = new UnauthenticatedError('Invalid, expired or already used refresh token');
    const found = await this.sessions.lookup(refreshToken);
    if (!found) throw invalid;
    const user = await this.users.findById(found.session.userId);
    if (!user || user.deletedAt) throw invalid;
    if (user.blockedAt) throw new NotAllowedError(BLOCKED);
    try {
      return this.answer(user, found.session.id, await this.sessions.rotate(found, refreshToken));
    } catch (error) {
      if (error instanceof InvalidRefreshTokenError) throw invalid;
      throw error;
    }
  }

  /** Ends the caller's session, and the session of `refreshToken` if it is the caller's too. */
  async logout(principal: Principal, refreshToken: string | undefined): Promise<void> {
    await this.sessions.end(principal.id, principal.sid, 'logout');
    const other = refreshToken ? await this.sessions.lookup(refreshToken) : undefined;
    if (other && other.session.id !== principal.sid) await this.sessions.end(principal.id, other.session.id, 'logout');
  }

  logoutAll(principal: Principal): Promise<void> {
    return this.sessions.endAll(principal.id, 'logout_all');
  }

  /** The caller's session lives on; every other one ends (a thief logged in elsewhere is out). */
  async changePassword(principal: Principal, dto: ChangePasswordDto): Promise<void> {
    await this.confirmPassword(principal.id, dto.current_password, 'current_password is wrong');
    await this.users.setPasswordHash(principal.id, await this.hasher.hash(dto.new_password));
    await this.sessions.endAll(principal.id, 'password_changed', principal.sid);
  }

  /** Re-authentication for sensitive actions: 403 (not 401, the token is fine) on a wrong password. */
  async confirmPassword(userId: string, password: string, message: string): Promise<UserEntity> {
    const user = await this.users.getById(userId);
    if (!(await this.hasher.verify(user.passwordHash, password))) throw new NotAllowedError(message);
    return user;
  }

  private async answer(user: UserEntity, sid: string, refreshToken: string): Promise<AuthResult> {
    return { ...(await this.tokens.issue(user, sid)), refresh_token: refreshToken, user: toUserView(user) };
  }
}
