import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { iso, USER_ROLES, UserRole } from '@numerai/common';
import { UserEntity } from './user.entity';

/** The `user` object of rest.md; never carries the password hash. */
export class UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() full_name!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  // The profile fields are optional (rest.md): present once set, absent while not.
  @ApiPropertyOptional({ example: '1990-07-15' }) birth_date?: string;
  @ApiPropertyOptional() birth_name?: string;
  @ApiPropertyOptional({ example: 'Europe/Berlin' }) time_zone?: string;
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    role: user.role,
    created_at: iso(user.createdAt),
    ...(user.birthDate ? { birth_date: user.birthDate } : {}),
    ...(user.birthName ? { birth_name: user.birthName } : {}),
    ...(user.timeZone ? { time_zone: user.timeZone } : {}),
  };
}
