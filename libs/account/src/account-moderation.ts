import { Injectable } from '@nestjs/common';
import { SessionService } from '@numerai/auth';
import { InvalidError, NotFoundError, type Principal } from '@numerai/common';
import { UsersService } from '@numerai/users';

/** What an admin can do to someone else's account: block, unblock, end its sessions. */
@Injectable()
export class AccountModeration {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  /** Blocked: cannot log in, refresh or connect; every session ends now, so its sockets close. */
  async block(admin: Principal, userId: string): Promise<void> {
    await this.target(admin, userId);
    await this.users.setBlocked(userId, new Date());
    await this.sessions.endAll(userId, 'blocked');
  }

  async unblock(admin: Principal, userId: string): Promise<void> {
    await this.target(admin, userId);
    await this.users.setBlocked(userId, null);
  }

  async endSessions(admin: Principal, userId: string): Promise<void> {
    await this.target(admin, userId);
    await this.sessions.endAll(userId, 'admin');
  }

  /** An existing, not erased account other than the admin's own (an admin locking themselves out helps nobody). */
  private async target(admin: Principal, userId: string): Promise<void> {
    if (userId === admin.id) throw new InvalidError('An admin cannot moderate their own account');
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) throw new NotFoundError('User not found');
  }
}
