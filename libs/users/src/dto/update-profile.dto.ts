import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { HasVisibleText, IsStorableText } from '@numerai/common';

/** Present → set; `null` → clear (birth fields and time zone only); absent → unchanged. */
const present = (field: string) => ValidateIf((dto: Record<string, unknown>) => dto[field] !== undefined);
const presentAndNotNull = (field: string) => ValidateIf((dto: Record<string, unknown>) => dto[field] != null);

/** `PATCH /api/users/me`. Whether the date exists, is not in the future, and the zone is known: the service checks. */
export class UpdateProfileDto {
  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @present('full_name')
  @IsString({ message: 'full_name must be a string' })
  @IsNotEmpty({ message: 'full_name must not be empty' })
  @MaxLength(200)
  @IsStorableText('full_name')
  @HasVisibleText('full_name')
  full_name?: string;

  @ApiPropertyOptional({
    type: String,
    example: '1990-07-15',
    nullable: true,
    description: 'YYYY-MM-DD, not in the future',
  })
  @presentAndNotNull('birth_date')
  @IsString({ message: 'birth_date must be a date as YYYY-MM-DD' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birth_date must be a date as YYYY-MM-DD' })
  birth_date?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'Augusta Ada Byron',
    nullable: true,
    description: 'full name at birth',
  })
  @presentAndNotNull('birth_name')
  @IsString({ message: 'birth_name must be a string' })
  @IsNotEmpty({ message: 'birth_name must not be empty' })
  @MaxLength(200)
  @IsStorableText('birth_name')
  @HasVisibleText('birth_name')
  birth_name?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Europe/Berlin', nullable: true, description: 'IANA time zone name' })
  @presentAndNotNull('time_zone')
  @IsString({ message: 'time_zone must be an IANA time zone name such as Europe/Berlin' })
  @MaxLength(64, { message: 'time_zone must be an IANA time zone name such as Europe/Berlin' })
  time_zone?: string | null;
}
