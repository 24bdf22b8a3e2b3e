import { InvalidError } from '@numerai/common';
import { Limits } from '@numerai/protocol';

/**
 * Characters that show nothing on their own: whitespace, format characters (zero-width
 * space/joiners, bidi marks, BOM), controls, combining marks without a base, and the
 * "filler" letters that render blank (Hangul fillers, braille blank, Mongolian vowel separator).
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Cc}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800\u180E]*$/u;

/**
 * The text to store for a chat message (trimmed), or an InvalidError: empty or
 * invisible text, or more than 4,000 characters counted as a person counts them (code
 * points: an emoji is one, not the two UTF-16 units `length` counts).
 */
export function messageContent(text: string): string {
  const content = text.trim();
  if (INVISIBLE_ONLY.test(content)) {
    throw new InvalidError('message must contain at least one visible character');
  }
  let codePoints = 0;
  for (const _ of content) {
    if (++codePoints > Limits.maxMessageChars) {
      throw new InvalidError(`message must be at most ${Limits.maxMessageChars} characters`);
    }
  }
  return content;
}
