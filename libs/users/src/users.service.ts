import { Injectable } from '@nestjs/common';
import { NotFoundError, UserRole } from '@numerai/common';
import { UserEntity } from './user.entity';
import { ProfileChanges } from './profile';
import { UsersRepository } from './users.repository';

/** How an erased account is shown wherever its name appears (e.g. `sender_name` of its old messages). */
export const DELETED_USER_NAME = 'Deleted user';

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /** Emails compare case-insensitively: one mailbox, one account. */
  static normaliseEmail(email: string): string {
    return email.trim().toLowerCase();
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(UsersService.normaliseEmail(email));
  }

  create(input: { email: string; passwordHash: string; fullName: string; role: UserRole }): Promise<UserEntity> {
    return this.users.create({
      ...input,
      email: UsersService.normaliseEmail(input.email),
      fullName: input.fullName.trim(),
    });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('User not found');
    return user;
  }

  findByIds(ids: string[]): Promise<UserEntity[]> {
    return this.users.findByIds(ids);
  }

  setPasswordHash(id: string, passwordHash: string): Promise<void> {
    return this.users.update(id, { passwordHash });
  }

  /** `at` = null unblocks. */
  setBlocked(id: string, at: Date | null): Promise<void> {
    return this.users.update(id, { blockedAt: at });
  }

  async updateProfile(id: string, changes: ProfileChanges): Promise<UserEntity> {
    await this.users.update(id, changes);
    return this.getById(id);
  }

  pageWithBirthDate(afterId: string | undefined, limit: number): Promise<UserEntity[]> {
    return this.users.pageWithBirthDate(afterId, limit);
  }

  delete(id: string): Promise<void> {
    return this.users.delete(id);
  }
}
