import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '@numerai/common';

export class ListNotificationsQuery extends PageQuery {
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
  title!: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  message!: string;

  @ApiProperty({ example: 'daily_reading' })
  @IsString()
  @Matches(/^[a-z0-9_]{1,64}$/, { message: 'notification_type must be 1-64 lowercase letters, digits or _' })
  notification_type!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'data must be a JSON object' })
  data?: Record<string, unknown>;
}

export class MarkReadFrame {
  @IsUUID(undefined, { message: 'notification_id must be a UUID' })
  notification_id!: string;
}
