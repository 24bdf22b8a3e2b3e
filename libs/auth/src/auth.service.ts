import { ConflictException, Injectable, UnauthorizedException } from '@nestjs/common';
import { toUserView, UsersService, UserView } from '@numerai/users';
import type { UserEntity } from '@numerai/database';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { PasswordHasher } from './password-hasher';
import { IssuedToken, TokenService } from './token.service';

export interface AuthResult extends IssuedToken {
  user: UserView;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
  ) {}

  async register(dto: RegisterDto): Promise<AuthResult> {
    if (await this.users.findByEmail(dto.email)) throw new ConflictException('email is already registered');
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
      if (await this.users.findByEmail(dto.email)) throw new ConflictException('email is already registered');
      throw error;
    }
    return this.session(user);
  }

  async login(dto: LoginDto): Promise<AuthResult> {
    const user = await this.users.findByEmail(dto.email);
    const ok = await this.hasher.verify(user?.passwordHash, dto.password);
    if (!user || !ok) throw new UnauthorizedException('Invalid email or password');
    return this.session(user);
  }

  async session(user: UserEntity): Promise<AuthResult> {
    return { ...(await this.tokens.issue(user)), user: toUserView(user) };
  }
}
