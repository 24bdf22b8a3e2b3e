import { WsError } from './ws-error';

/** A parsed client frame: a plain object with a string `type`. */
export interface RawFrame {
  type: string;
  [field: string]: unknown;
}

/** Keys that could reach an object's prototype chain if any later code merged the frame into another object. */
const POISONED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function dropPoisonedKeys(key: string, value: unknown): unknown {
  return POISONED_KEYS.has(key) ? undefined : value;
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
    value = JSON.parse(text, dropPoisonedKeys);
  } catch {
    throw new WsError('invalid_json', 'The frame is not valid JSON');
  }
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
