import { ValidateBy, ValidationOptions } from 'class-validator';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the JSON text nests arrays/objects deeper than `max`. One pass over the raw
 * bytes, before JSON.parse: deep nesting is what made parsing plus class-transformer's
 * recursion cost ~0.5 s of CPU (and then a 500) for 800 KB of `[[[[…`; refused here it
 * costs a byte scan. Brackets inside strings do not count.
 */
export function jsonNestingExceeds(text: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** Nesting depth of a parsed JSON value (a scalar is 0), giving up once past `max`. */
export function depthOf(value: unknown, max: number, depth = 0): number {
  if (value === null || typeof value !== 'object' || depth > max) return depth;
  let deepest = depth + 1;
  for (const child of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, max, depth + 1));
    if (deepest > max) break;
  }
  return deepest;
}

const DECLARED_NESTING = Symbol('numerai:maxNesting');

/**
 * How deep a DTO property's value may nest (a scalar is 0, `{a: 1}` or `[1]` is 1): checked
 * on the raw body before class-transformer copies it and class-validator walks it, so a
 * 64 KB tree under a field that takes `{in_app, push}` costs a bounded walk, not a full
 * transformation. Properties without it take a scalar or a flat array (see NestingLimitPipe).
 */
export function MaxNesting(depth: number): PropertyDecorator {
  return (target, property) => {
    const own: Record<string, number> = Object.prototype.hasOwnProperty.call(target, DECLARED_NESTING)
      ? (target as Record<symbol, Record<string, number>>)[DECLARED_NESTING]
      : { ...((target as Record<symbol, Record<string, number>>)[DECLARED_NESTING] ?? {}) };
    own[String(property)] = depth;
    Object.defineProperty(target, DECLARED_NESTING, { value: own, configurable: true });
  };
}

/** The depth MaxNesting declared for `property` of the DTO class `type` (inherited ones included). */
export function declaredNesting(type: { prototype: object }, property: string): number | undefined {
  return (type.prototype as Record<symbol, Record<string, number> | undefined>)[DECLARED_NESTING]?.[property];
}

/**
 * A free-form JSON object (e.g. a notification's `data`) bounded in serialized size and
 * nesting, since it is stored and sent to every recipient as given:
 * `field must be a JSON object of at most N bytes nested at most D deep`.
 */
export function IsBoundedJsonObject(
  field: string,
  limits: { maxBytes: number; maxDepth: number },
  options: ValidationOptions = {},
): PropertyDecorator {
  const nesting = MaxNesting(limits.maxDepth);
  const validate = ValidateBy(
    {
      name: 'isBoundedJsonObject',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          depthOf(value, limits.maxDepth) <= limits.maxDepth &&
          Buffer.byteLength(JSON.stringify(value)) <= limits.maxBytes,
        defaultMessage: () =>
          `${field} must be a JSON object of at most ${limits.maxBytes} bytes nested at most ${limits.maxDepth} deep`,
      },
    },
    options,
  );
  return (target, property) => {
    nesting(target, property);
    validate(target, property);
  };
}
