import { Matches, ValidationOptions } from 'class-validator';

/**
 * Text a database stores exactly as sent. PostgreSQL refuses U+0000 in text columns (the
 * query fails: a 500 for one row, a lost group-commit batch for chat), and an unpaired
 * UTF-16 surrogate turns into U+FFFD on the way to either engine, so what is read back is
 * not what was accepted.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this excludes
export const STORABLE_TEXT = /^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

/** `field must not contain NUL characters or unpaired surrogates` — a 400 / validation_failed instead of a failed query. */
export function IsStorableText(field: string, options: ValidationOptions = {}): PropertyDecorator {
  return Matches(STORABLE_TEXT, {
    message: `${field} must not contain NUL characters or unpaired surrogates`,
    ...options,
  });
}
