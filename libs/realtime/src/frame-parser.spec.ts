import { frameRef, parseFrame } from './frame-parser';
import { WsError } from './ws-error';

const text = (value: string) => Buffer.from(value, 'utf8');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof WsError ? error.code : 'not a WsError';
  }
  return undefined;
}

describe('parseFrame', () => {
  it('parses an object with a string type', () => {
    expect(parseFrame(text('{"type":"typing","is_typing":true}'), false)).toEqual({ type: 'typing', is_typing: true });
  });

  it.each([
    ['not json', 'invalid_json'],
    ['[1,2]', 'validation_failed'],
    ['"typing"', 'validation_failed'],
    ['null', 'validation_failed'],
    ['{"type":1}', 'validation_failed'],
    ['{}', 'validation_failed'],
  ])('%s → %s', (input, code) => {
    expect(codeOf(() => parseFrame(text(input), false))).toBe(code);
  });

  it('refuses binary frames', () => {
    expect(codeOf(() => parseFrame(text('{"type":"ping"}'), true))).toBe('invalid_json');
  });

  it('drops __proto__ and constructor keys at any depth', () => {
    const frame = parseFrame(text('{"type":"x","__proto__":{"polluted":1},"a":{"constructor":{"b":1},"c":2}}'), false);
    expect(Object.keys(frame)).toEqual(['type', 'a']);
    expect(frame.a).toEqual({ c: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('frameRef', () => {
  it('uses a sane client_id only', () => {
    expect(frameRef({ type: 'chat_message', client_id: 'abc' })).toBe('abc');
    expect(frameRef({ type: 'chat_message', client_id: 'x'.repeat(65) })).toBeUndefined();
    expect(frameRef({ type: 'chat_message', client_id: 5 })).toBeUndefined();
    expect(frameRef(undefined)).toBeUndefined();
  });
});
