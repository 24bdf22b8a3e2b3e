import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { OmitType } from '@nestjs/swagger';
import { AfterSeqQuery, IsBoundedJsonObject, IsStorableText } from '@numerai/common';

/** A notification's free-form `data`: a few KB, a few levels (deep links, ids, a small payload). */
export const NOTIFICATION_DATA_LIMITS = { maxBytes: 4096, maxDepth: 8 };

export class ListNotificationsQuery extends AfterSeqQuery {
  @ApiPropertyOptional({ description: 'only unread ones' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

export class CreateNotificationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID(undefined, { message: 'user_id must be a UUID' })
  user_id!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsStorableText('title')
  title!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  @IsStorableText('message')
  message!: string;

  @ApiProperty({ example: 'daily_reading' })
  @IsString()
  @Matches(/^[a-z0-9_]{1,64}$/, { message: 'notification_type must be 1-64 lowercase letters, digits or _' })
  notification_type!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'data must be a JSON object' })
  // Stored and sent to every recipient as given: bounded like a small document, not like a request body.
  @IsBoundedJsonObject('data', NOTIFICATION_DATA_LIMITS)
  data?: Record<string, unknown>;
}

/** One notification to many users at once (announcements, daily readings). */
export class BroadcastNotificationDto extends OmitType(CreateNotificationDto, ['user_id'] as const) {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: 10000 })
  @IsArray({ message: 'user_ids must be an array of UUIDs' })
  @ArrayMinSize(1, { message: 'user_ids must not be empty' })
  @ArrayMaxSize(10_000, { message: 'user_ids accepts at most 10000 ids' })
  @IsUUID(undefined, { each: true, message: 'user_ids must contain UUIDs only' })
  user_ids!: string[];
}
