import { Matches, ValidationOptions } from 'class-validator';

/**
 * At least one character that shows: not whitespace (`\s`, `Z*`), not a control (`Cc`) and not
 * a format character (`Cf`: U+200B–U+200D, U+2060, U+FEFF, bidi marks …). A name made only
 * of those passes "not empty" yet renders as nothing wherever it is shown.
 */
export const VISIBLE_TEXT = /[^\s\p{Z}\p{Cc}\p{Cf}]/u;

/** `field must contain a visible character` — a 400 / validation_failed for blank or zero-width-only text. */
export function HasVisibleText(field: string, options: ValidationOptions = {}): PropertyDecorator {
  return Matches(VISIBLE_TEXT, { message: `${field} must contain a visible character`, ...options });
}
