import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { HasVisibleText, IsStorableText } from '@numerai/common';

/** Who may self-register: never `admin` (admins come from the ops CLI). */
export const SELF_SERVICE_ROLES = ['user', 'numerologist'] as const;

export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(320)
  email!: string;

  @ApiProperty({ minLength: 8 })
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters long' })
  @MaxLength(256)
  password!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsStorableText('full_name')
  @HasVisibleText('full_name')
  full_name!: string;

  @ApiPropertyOptional({ enum: SELF_SERVICE_ROLES, default: 'user' })
  @IsOptional()
  @IsIn(SELF_SERVICE_ROLES, { message: 'role must be one of: user, numerologist' })
  role?: (typeof SELF_SERVICE_ROLES)[number];
}

export class LoginDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  @IsStorableText('email')
  email!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password!: string;
}
