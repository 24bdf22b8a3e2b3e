import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** Longest endpoint URL accepted (the push services' own are well under 600 characters). */
export const MAX_ENDPOINT_LENGTH = 1024;
/** The latest instant a JavaScript Date holds (year 275760): any real expiry is far below, and it fits a bigint. */
export const MAX_EXPIRATION_TIME = 8_640_000_000_000_000;
const EXPIRATION_TIME = `expirationTime must be a whole number of ms from 0 to ${MAX_EXPIRATION_TIME}, or null`;

// The ValidationPipe prefixes a nested field's messages with its parent ("keys."): these name the rest.

export class PushSubscriptionKeysDto {
  @ApiProperty({ description: "the browser's P-256 public key: 65 bytes, base64url" })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{87}=?$/, { message: 'p256dh must be a 65-byte P-256 public key, base64url' })
  p256dh!: string;

  @ApiProperty({ description: 'the authentication secret: 16 bytes, base64url' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{22}(==)?$/, { message: 'auth must be 16 bytes, base64url' })
  auth!: string;
}

/** The browser's `PushSubscription.toJSON()`. */
export class CreatePushSubscriptionDto {
  @ApiProperty({
    description: "the push service URL: https, on a browser push service's host (PUSH_ENDPOINT_HOSTS adds more)",
  })
  @IsString()
  @MaxLength(MAX_ENDPOINT_LENGTH)
  endpoint!: string;

  @ApiPropertyOptional({ nullable: true, description: 'ms since the epoch, as the browser reports it' })
  @IsOptional()
  @IsInt({ message: EXPIRATION_TIME })
  @Min(0, { message: EXPIRATION_TIME })
  @Max(MAX_EXPIRATION_TIME, { message: EXPIRATION_TIME })
  expirationTime?: number | null;

  @ApiProperty({ type: PushSubscriptionKeysDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PushSubscriptionKeysDto)
  keys!: PushSubscriptionKeysDto;
}
