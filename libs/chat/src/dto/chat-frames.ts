import { IsBoolean, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { Limits } from '@numerai/protocol';

/**
 * Text the database stores as sent. PostgreSQL cannot store U+0000: one such message failed
 * the whole group-commit batch, losing other users' messages in it. Lone UTF-16 surrogates
 * become U+FFFD on the way to either engine: two different client_ids then collided and the
 * second message was acknowledged as a "duplicate" of the first. Both refused on every engine.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this excludes
const STORABLE_TEXT = /^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

export class ChatMessageFrame {
  @IsString({ message: 'message must be a string' })
  // The hard cap guards memory before trimming; the 4,000-character rule is checked after trimming.
  @MaxLength(Limits.maxMessageChars * 4, { message: `message must be at most ${Limits.maxMessageChars} characters` })
  @Matches(STORABLE_TEXT, { message: 'message must not contain NUL characters or unpaired surrogates' })
  message!: string;

  @IsOptional()
  @IsString({ message: 'client_id must be a string' })
  @Length(1, Limits.maxClientIdChars, { message: `client_id must be 1 to ${Limits.maxClientIdChars} characters` })
  @Matches(STORABLE_TEXT, { message: 'client_id must not contain NUL characters or unpaired surrogates' })
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
