import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class CreateBlockDto {
  @ApiProperty({ format: 'uuid', description: 'the client to block: one who has had a consultation with the caller' })
  @IsUUID(undefined, { message: 'user_id must be a UUID' })
  user_id!: string;
}
