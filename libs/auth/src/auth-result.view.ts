import { ApiProperty } from '@nestjs/swagger';
import { UserView } from '@numerai/users';
import type { AuthResult } from './auth.service';

/** AuthResult as the OpenAPI document shows it (register, login, refresh). */
export class AuthResultView implements AuthResult {
  @ApiProperty({ description: 'short-lived (JWT_EXPIRES_IN): send as `Authorization: Bearer …`' })
  access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ description: 'seconds until access_token expires' }) expires_in!: number;
  @ApiProperty({ description: 'long-lived and rotating: POST /api/auth/refresh spends it for a new pair' })
  refresh_token!: string;
  @ApiProperty({ type: UserView }) user!: UserView;
}
