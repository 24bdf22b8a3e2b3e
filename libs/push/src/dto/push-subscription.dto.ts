import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';

/** Longest endpoint URL accepted (the push services' own are well under 600 characters). */
export const MAX_ENDPOINT_LENGTH = 1024;

export class PushSubscriptionKeysDto {
  @ApiProperty({ description: "the browser's P-256 public key: 65 bytes, base64url" })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{87}=?$/, { message: 'keys.p256dh must be a 65-byte P-256 public key, base64url' })
  p256dh!: string;

  @ApiProperty({ description: 'the authentication secret: 16 bytes, base64url' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{22}(==)?$/, { message: 'keys.auth must be 16 bytes, base64url' })
  auth!: string;
}

/** The browser's `PushSubscription.toJSON()`. */
export class CreatePushSubscriptionDto {
  @ApiProperty({ description: 'the push service URL (https; plain-http loopback only in development)' })
  @IsString()
  @MaxLength(MAX_ENDPOINT_LENGTH)
  endpoint!: string;

  @ApiPropertyOptional({ nullable: true, description: 'ms since the epoch, as the browser reports it' })
  @IsOptional()
  @IsInt({ message: 'expirationTime must be a whole number of ms or null' })
  @Min(0)
  expirationTime?: number | null;

  @ApiProperty({ type: PushSubscriptionKeysDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PushSubscriptionKeysDto)
  keys!: PushSubscriptionKeysDto;
}
