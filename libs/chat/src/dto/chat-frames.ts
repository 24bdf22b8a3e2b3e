import { IsBoolean, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { STORABLE_TEXT } from '@numerai/common';
import { Limits } from '@numerai/protocol';

export class ChatMessageFrame {
  @IsString({ message: 'message must be a string' })
  // The hard cap guards memory before trimming; the 4,000-character rule is checked after trimming.
  @MaxLength(Limits.maxMessageChars * 4, { message: `message must be at most ${Limits.maxMessageChars} characters` })
  // PostgreSQL cannot store U+0000: one such message failed its whole group-commit batch, other users' messages too.
  @Matches(STORABLE_TEXT, { message: 'message must not contain NUL characters or unpaired surrogates' })
  message!: string;

  @IsOptional()
  @IsString({ message: 'client_id must be a string' })
  // Counted in UTF-16 units, never more than the varchar(64) column's code points (class-validator's Length
  // counts an emoji with its variation selectors as one: such a client_id failed PostgreSQL's INSERT).
  @Matches(new RegExp(`^[\\s\\S]{1,${Limits.maxClientIdChars}}$`), {
    message: `client_id must be 1 to ${Limits.maxClientIdChars} characters`,
  })
  // Unpaired surrogates become U+FFFD when stored: two different client_ids would collide.
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
