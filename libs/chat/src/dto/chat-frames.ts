import { IsBoolean, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { Limits } from '@numerai/protocol';

export class ChatMessageFrame {
  @IsString({ message: 'message must be a string' })
  // The hard cap guards memory before trimming; the 4,000-character rule is checked after trimming.
  @MaxLength(Limits.maxMessageChars * 4, { message: `message must be at most ${Limits.maxMessageChars} characters` })
  message!: string;

  @IsOptional()
  @IsString({ message: 'client_id must be a string' })
  @Length(1, Limits.maxClientIdChars, { message: `client_id must be 1 to ${Limits.maxClientIdChars} characters` })
  client_id?: string;
}

export class TypingFrame {
  @IsBoolean({ message: 'is_typing must be a boolean' })
  is_typing!: boolean;
}

export class ReadReceiptFrame {
  @IsUUID(undefined, { message: 'message_id must be a UUID' })
  message_id!: string;
}
