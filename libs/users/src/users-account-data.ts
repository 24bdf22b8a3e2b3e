import { Injectable } from '@nestjs/common';
import { AccountDataSection, type AccountErasure, type ErasureContext, iso, type JsonMember } from '@numerai/common';
import { toUserView } from './user.view';
import { DELETED_USER_NAME, UsersService } from './users.service';

/** The profile, and its anonymisation on erasure. */
@Injectable()
export class UsersAccountData extends AccountDataSection {
  constructor(private readonly users: UsersService) {
    super();
  }

  exportMembers(userId: string): JsonMember[] {
    return [
      [
        'profile',
        async () => {
          const user = await this.users.getById(userId);
          return { ...toUserView(user), blocked_at: iso(user.blockedAt) };
        },
      ],
    ];
  }

  /**
   * The row is anonymised, not deleted, so the consultations and messages that name it stay
   * valid: the other participant sees "Deleted user". The email becomes a unique address that can
   * never receive mail (`.invalid`), so the real one is free to register again; the empty hash
   * never verifies. First of the erasure's statements: the row lock it takes makes a concurrent
   * notification wait for the erasure and then skip the erased account.
   */
  erasure({ userId, at }: ErasureContext): AccountErasure {
    return {
      statements: [
        {
          sql: `UPDATE users SET email = ?, full_name = ?, password_hash = '', birth_date = NULL, birth_name = NULL,
            time_zone = NULL, deleted_at = ? WHERE id = ?`,
          params: [`deleted-${userId}@deleted.invalid`, DELETED_USER_NAME, at, userId],
        },
      ],
    };
  }
}
