import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** Refresh tokens are 43 base64url characters; anything much longer is not one. */
const REFRESH_TOKEN_MAX = 128;

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REFRESH_TOKEN_MAX)
  refresh_token!: string;
}

export class LogoutDto {
  @ApiPropertyOptional({ description: 'also spend this refresh token (it must belong to the caller)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(REFRESH_TOKEN_MAX)
  refresh_token?: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  current_password!: string;

  @ApiProperty({ minLength: 8 })
  @IsString()
  @MinLength(8, { message: 'new_password must be at least 8 characters long' })
  @MaxLength(256)
  new_password!: string;
}

export class PasswordConfirmationDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password!: string;
}
