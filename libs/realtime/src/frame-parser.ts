import { WsError } from './ws-error';

/** A parsed client frame: a plain object with a string `type`. */
export interface RawFrame {
  type: string;
  [field: string]: unknown;
}

/** Keys that could reach an object's prototype chain if any later code merged the frame into another object. */
const POISONED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Protocol frames are flat; anything nested deeper is refused with a fixed limit. (A JSON.parse
 * reviver recursed once per level and overflowed the stack on a 64 KB `[[[[…]]]]`, so valid
 * JSON was answered `invalid_json`, at a depth that depended on the stack left.)
 */
const MAX_DEPTH = 32;

/** Deletes prototype-reaching keys at every level; false when the value nests deeper than MAX_DEPTH. */
function sanitize(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => sanitize(item, depth + 1));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (POISONED_KEYS.has(key)) delete record[key];
    else if (!sanitize(record[key], depth + 1)) return false;
  }
  return true;
}

/** Text → frame, or the protocol error that describes why not. Never throws anything but WsError. */
export function parseFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): RawFrame {
  if (isBinary) throw new WsError('invalid_json', 'Binary frames are not supported; send JSON text frames');
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Buffer.from(data).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WsError('invalid_json', 'The frame is not valid JSON');
  }
  if (!sanitize(value, 1))
    throw new WsError('validation_failed', `A frame must not nest deeper than ${MAX_DEPTH} levels`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WsError('validation_failed', 'A frame must be a JSON object');
  }
  const frame = value as Record<string, unknown>;
  if (typeof frame.type !== 'string') throw new WsError('validation_failed', 'type must be a string');
  return frame as RawFrame;
}

/** The frame if it parses, else undefined: to name (ref) a frame that is refused without being processed. */
export function peekFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): RawFrame | undefined {
  try {
    return parseFrame(data, isBinary);
  } catch (error) {
    if (error instanceof WsError) return undefined;
    throw error;
  }
}

/** The `client_id` of a frame, if it has a sane one, so errors can say which frame they answer. */
export function frameRef(frame: RawFrame | undefined): string | undefined {
  const ref = frame?.client_id;
  return typeof ref === 'string' && ref.length > 0 && ref.length <= 64 ? ref : undefined;
}
