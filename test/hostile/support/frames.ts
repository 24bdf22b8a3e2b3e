import fc from 'fast-check';
import isLength from 'validator/lib/isLength';
import { CLIENT_FRAMES_BY_ENDPOINT, ENDPOINTS, type Endpoint, type ErrorCode } from '@numerai/protocol';

/**
 * Generators of hostile client frames and an oracle that says, independently of the server
 * code, what protocol.md promises for each one. The oracle re-states the published rules
 * (field types, 4,000-character messages, UUID ids, the 64 KB frame) rather than calling
 * the server's validators, so a server that drifts from the contract fails the fuzz suite.
 */

export type Fuzzed =
  { kind: 'text'; family: Family; text: string } | { kind: 'binary'; family: Family; bytes: Uint8Array };

export type Family =
  'random-json' | 'not-json' | 'wrong-types' | 'huge' | 'deep' | 'poisoned-keys' | 'unicode' | 'binary' | 'valid';

/** What the attacker's connection must receive for one frame. */
export type Outcome =
  | { kind: 'error'; code: ErrorCode; ref?: string }
  | { kind: 'reply'; type: 'pong' | 'chat_message' | 'unread_count' | 'available_page' }
  | { kind: 'silent' };

/** Ids the fuzzer can aim at: ones that belong to the attacker and ones that belong to somebody else. */
export interface FuzzTargets {
  /** chat: messages of the attacker's consultation; notifications: the attacker's own notifications. */
  ownIds: string[];
  /** Ids that exist but are not the attacker's (another consultation's messages, another user's notifications). */
  foreignIds: string[];
}

/** The oracle's memory of what valid frames changed, to predict replies and database rows. */
export class FuzzModel {
  readonly clientIds = new Set<string>();
  readonly unread: Set<string>;
  storedMessages = 0;
  receiptsSent = 0;
  notificationsRead = 0;
  tally: Record<string, number> = {};

  constructor(
    readonly endpoint: Endpoint,
    readonly targets: FuzzTargets,
  ) {
    this.unread = new Set(endpoint === 'notifications' ? targets.ownIds : []);
  }

  /** The outcome protocol.md promises, and the state change of a valid frame. */
  apply(frame: Fuzzed): Outcome {
    const outcome = this.predict(frame);
    const key = `${frame.family}:${outcome.kind === 'error' ? outcome.code : outcome.kind}`;
    this.tally[key] = (this.tally[key] ?? 0) + 1;
    return outcome;
  }

  private predict(frame: Fuzzed): Outcome {
    if (frame.kind === 'binary') return { kind: 'error', code: 'invalid_json' };
    // What the server decodes: the client sends UTF-8, so lone surrogates in raw text arrive as U+FFFD.
    const text = Buffer.from(frame.text, 'utf8').toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: 'error', code: 'invalid_json' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { kind: 'error', code: 'validation_failed' };
    }
    // Frames are flat: nesting past 32 levels is refused (keys that reach the prototype are dropped first).
    if (depthOf(value) > 32) return { kind: 'error', code: 'validation_failed' };
    const obj = value as Record<string, unknown>;
    const own = (key: string) => (Object.hasOwn(obj, key) ? obj[key] : undefined);
    const type = own('type');
    if (typeof type !== 'string') return { kind: 'error', code: 'validation_failed' };
    const clientId = own('client_id');
    const ref = typeof clientId === 'string' && clientId.length > 0 && clientId.length <= 64 ? clientId : undefined;
    const error = (code: ErrorCode): Outcome =>
      ref === undefined ? { kind: 'error', code } : { kind: 'error', code, ref };
    if (!(CLIENT_FRAMES_BY_ENDPOINT[this.endpoint] as readonly string[]).includes(type)) return error('unknown_type');

    switch (type) {
      case 'ping':
        return { kind: 'reply', type: 'pong' };
      case 'auth': {
        const token = own('token');
        if (typeof token !== 'string' || token === '' || !isLength(token, { max: 4096 })) {
          return error('validation_failed');
        }
        // No fuzzed string is a valid token for this user.
        return error('unauthorized');
      }
      case 'chat_message': {
        const message = own('message');
        if (typeof message !== 'string' || !isLength(message, { max: 16_000 })) return error('validation_failed');
        if (clientId !== undefined && clientId !== null) {
          // "≤64 chars" in UTF-16 units, as frameRef counts them and within the varchar(64) column.
          if (typeof clientId !== 'string' || clientId.length < 1 || clientId.length > 64) {
            return error('validation_failed');
          }
          if (!storable(clientId)) return error('validation_failed');
        }
        if (!storable(message)) return error('validation_failed');
        const content = message.trim();
        // Issue 17: 4,000 characters as a person counts them (code points), and something visible.
        if (!hasVisibleCharacter(content) || [...content].length > 4000) return error('validation_failed');
        if (typeof clientId === 'string') {
          if (this.clientIds.has(clientId)) return { kind: 'reply', type: 'chat_message' };
          this.clientIds.add(clientId);
        }
        this.storedMessages++;
        // The sender's own echo is its acknowledgement.
        return { kind: 'reply', type: 'chat_message' };
      }
      case 'typing':
        return typeof own('is_typing') === 'boolean' ? { kind: 'silent' } : error('validation_failed');
      case 'read_receipt': {
        const id = own('message_id');
        if (!isUuidLike(id)) return error('validation_failed');
        if (!this.targets.ownIds.includes(id)) return error('not_found');
        this.receiptsSent++;
        return { kind: 'silent' };
      }
      case 'mark_read': {
        const id = own('notification_id');
        if (!isUuidLike(id)) return error('validation_failed');
        if (!this.targets.ownIds.includes(id)) return error('not_found');
        if (!this.unread.delete(id)) return { kind: 'silent' };
        this.notificationsRead++;
        return { kind: 'reply', type: 'unread_count' };
      }
      case 'mark_all_read':
        this.notificationsRead += this.unread.size;
        this.unread.clear();
        return { kind: 'reply', type: 'unread_count' };
      case 'list_available':
        return isUuidLike(own('cursor')) ? { kind: 'reply', type: 'available_page' } : error('validation_failed');
      case 'set_availability': {
        // The attacker is a client: a well-formed status is refused as not theirs to set.
        const status = own('status');
        const known = status === 'available' || status === 'busy' || status === 'offline';
        return error(known ? 'forbidden' : 'validation_failed');
      }
      default:
        return error('unknown_type');
    }
  }
}

/**
 * Text a database keeps exactly: no U+0000 (PostgreSQL refuses it) and no lone surrogate
 * (it does not survive UTF-8, so it would be stored as something else than was acknowledged).
 */
function storable(text: string): boolean {
  return !text.includes('\u0000') && Buffer.from(text, 'utf8').toString('utf8') === text;
}

const DROPPED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Levels of objects/arrays, without recursion (fuzzed frames nest 30,000 deep). */
function depthOf(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    max = Math.max(max, depth);
    for (const [key, child] of Object.entries(value)) {
      if (!Array.isArray(value) && DROPPED_KEYS.has(key)) continue;
      stack.push([child, depth + 1]);
    }
  }
  return max;
}

/** RFC 4122 shape (versions 1–8, nil and max), as protocol.md's "ids are UUID strings". */
function isUuidLike(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|f{8}-f{4}-f{4}-f{4}-f{12})$/i.test(
      value,
    )
  );
}

// ---- generators -----------------------------------------------------------------

/** Strings that break naive code: lone surrogates, bidi overrides, zero-width, emoji sequences, NUL, BOM. */
export const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDBFFy',
  '\uDC00\uD800',
  '\u202E\u0645\u0631\u062D\u0628\u0627',
  '\u200F\u05E9\u05DC\u05D5\u05DD\u200E',
  '\u200B',
  '\u200B\u200C\u200D\u2060',
  '\uFEFF',
  '\uFE0F',
  '\u00A0\u2028\u2029',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '\u{10FFFF}',
  '\uFFFD\uFFFE\uFFFF',
  '%00%ff',
  '../../etc/passwd',
  "'; DROP TABLE chat_messages; --",
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '__proto__',
  'constructor',
  '{"type":"ping"}',
];

const POISONED_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON'];

const ALL_TYPES = [
  'chat_message',
  'typing',
  'read_receipt',
  'mark_read',
  'mark_all_read',
  'ping',
  'auth',
  'pong',
  'error',
  'connection_established',
  'notification',
  'user_online',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'CHAT_MESSAGE',
  'ping ',
  '',
];

/**
 * The fields of every client frame, from the endpoint contract: a frame is fuzzed as soon as it is
 * declared. (Which frames each endpoint accepts comes from the contract too; what the answer must
 * be is re-stated above, independently of the server's validators.)
 */
const FIELDS: Record<string, string[]> = Object.fromEntries(
  Object.values(ENDPOINTS)
    .flatMap((endpoint) => Object.values(endpoint.client))
    .map((frame) => [frame.frameType, Object.keys(frame.shape).filter((field) => field !== 'type')]),
);

const edgeString = fc.oneof(
  fc.constantFrom(...EDGE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...EDGE_STRINGS), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
);

const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.string({ maxLength: 30 }),
  edgeString,
);

/** A plausible value for a field (sometimes valid, often not): the oracle decides which. */
function fieldValue(field: string, targets: FuzzTargets): fc.Arbitrary<unknown> {
  switch (field) {
    case 'message':
      return fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 120 }) },
        { weight: 2, arbitrary: edgeString },
        { weight: 1, arbitrary: fc.integer({ min: 3990, max: 4010 }).map((n) => 'm'.repeat(n)) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 4010 }).map((n) => ` ${'\u3000'.repeat(n)} `) },
        { weight: 1, arbitrary: wrongValue },
      );
    case 'client_id':
      return fc.oneof(
        { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9-]{1,64}$/) },
        { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(64), 'x'.repeat(65), 'dup-1', 'dup-2', null) },
        // Emoji sequences around the 64 limit: one family is 11 UTF-16 units but a single "character" to class-validator.
        { weight: 1, arbitrary: fc.integer({ min: 5, max: 7 }).map((n) => '👨‍👩‍👧‍👦'.repeat(n)) },
        { weight: 1, arbitrary: edgeString },
        { weight: 1, arbitrary: wrongValue },
      );
    case 'is_typing':
      return fc.oneof({ weight: 2, arbitrary: fc.boolean() }, { weight: 3, arbitrary: wrongValue });
    case 'message_id':
    case 'notification_id': {
      const known = [...targets.ownIds, ...targets.foreignIds];
      return fc.oneof(
        ...(known.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...known) }] : []),
        { weight: 2, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid') },
        { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
        { weight: 1, arbitrary: fc.uuid().map((id) => ` ${id}`) },
        { weight: 2, arbitrary: wrongValue },
      );
    }
    case 'cursor':
      return fc.oneof(
        { weight: 3, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom('not-a-uuid', '', 'ffffffff-ffff-ffff-ffff-ffffffffffff') },
        { weight: 2, arbitrary: wrongValue },
      );
    case 'status':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('available', 'busy', 'offline') },
        { weight: 1, arbitrary: fc.constantFrom('Available', 'away', ' busy', '') },
        { weight: 2, arbitrary: wrongValue },
      );
    case 'token':
      return fc.oneof(
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.constant('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
        fc.constant(''),
        fc.integer({ min: 4097, max: 6000 }).map((n) => 't'.repeat(n)),
        wrongValue,
      );
    default:
      return wrongValue;
  }
}

/** Serialises key/value pairs in order, so duplicate keys and `__proto__` survive into the text. */
function objectText(entries: [string, unknown][]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}

/** A frame of a known type with each field valid, mistyped, missing or hostile. */
function shapedFrame(types: readonly string[], targets: FuzzTargets): fc.Arbitrary<[string, unknown][]> {
  return fc.constantFrom(...types).chain((type) => {
    const fields = FIELDS[type] ?? [];
    return fc
      .tuple(
        fc.tuple(...fields.map((field) => fc.option(fieldValue(field, targets), { nil: undefined, freq: 6 }))),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...POISONED_KEYS), fc.string({ maxLength: 10 })), wrongValue), {
          maxLength: 2,
        }),
      )
      .map(([values, extra]) => {
        const entries: [string, unknown][] = [['type', type]];
        fields.forEach((field, i) => {
          if (values[i] !== undefined) entries.push([field, values[i]]);
        });
        return [...entries, ...extra];
      });
  });
}

/** Every family of hostile frame, weighted, for one endpoint. */
export function hostileFrame(endpoint: Endpoint, targets: FuzzTargets): fc.Arbitrary<Fuzzed> {
  const own = CLIENT_FRAMES_BY_ENDPOINT[endpoint];
  const text = (family: Family) => (t: string) => ({ kind: 'text' as const, family, text: t });
  const validish = shapedFrame(own, targets).map(objectText).map(text('wrong-types'));
  const foreignTypes = shapedFrame(Object.keys(FIELDS), targets).map(objectText).map(text('wrong-types'));
  const randomJson = fc
    .oneof(
      fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
      fc
        .tuple(
          fc.oneof(fc.constantFrom(...ALL_TYPES), wrongValue),
          fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
        )
        .map(([type, rest]) => objectText([...Object.entries(rest), ['type', type]])),
    )
    .map(text('random-json'));
  const notJson = fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(
        '',
        '{',
        '}',
        '{"type":',
        '{"type":"ping"',
        'null',
        'NaN',
        'undefined',
        '[]',
        '"ping"',
        '{"type":"ping"}}',
      ),
      shapedFrame(own, targets)
        .map(objectText)
        .chain((whole) => fc.integer({ min: 0, max: Math.max(0, whole.length - 1) }).map((cut) => whole.slice(0, cut))),
    )
    .map(text('not-json'));
  const huge = fc
    .oneof(
      fc.integer({ min: 16_001, max: 60_000 }).map((n) =>
        objectText([
          ['type', 'chat_message'],
          ['message', 'h'.repeat(n)],
        ]),
      ),
      fc.integer({ min: 16_001, max: 60_000 }).map((n) =>
        objectText([
          ['type', 'chat_message'],
          ['message', `${' '.repeat(n)}x`],
        ]),
      ),
      fc.integer({ min: 4097, max: 60_000 }).map((n) =>
        objectText([
          ['type', 'auth'],
          ['token', 'k'.repeat(n)],
        ]),
      ),
      fc.integer({ min: 1000, max: 5000 }).map((n) =>
        objectText([
          ['type', own[0]],
          ['junk', Array.from({ length: n }, (_, i) => i)],
        ]),
      ),
      fc
        .integer({ min: 100, max: 3000 })
        .map((n) =>
          objectText([['type', 'ping'], ...Array.from({ length: n }, (_, i) => [`k${i}`, i] as [string, unknown])]),
        ),
    )
    .map(text('huge'));
  const deep = fc
    .tuple(fc.integer({ min: 50, max: 30_000 }), fc.constantFrom(...own, 'chat_message'), fc.boolean())
    .map(([depth, type, arrays]) => {
      const nested = arrays
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(Math.min(depth, 10_000))}1${'}'.repeat(Math.min(depth, 10_000))}`;
      const field = FIELDS[type]?.[0] ?? 'payload';
      return `{"type":${JSON.stringify(type)},${JSON.stringify(field)}:${nested}}`;
    })
    .map(text('deep'));
  const poisoned = fc
    .tuple(
      fc.constantFrom(...own),
      fc.constantFrom(...POISONED_KEYS),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(...own),
    )
    .map(([type, key, value, innerType]) =>
      objectText([
        ['type', type],
        [key, { type: innerType, message: 'from the prototype', is_typing: true, token: 'x', polluted: value }],
        ...(FIELDS[type] ?? []).map((field) => [field, { __proto__: null, polluted: true }] as [string, unknown]),
      ]),
    )
    .chain((t) => fc.constantFrom(t, t.replace('{"type"', '{"__proto__":{"type":"ping"},"type"')))
    .map(text('poisoned-keys'));
  const unicode = fc
    .tuple(fc.constantFrom(...own), edgeString, edgeString)
    .map(([type, a, b]) => {
      const entries: [string, unknown][] = [['type', type]];
      for (const field of FIELDS[type] ?? []) entries.push([field, `${a}${b}`]);
      entries.push([a, b]);
      return objectText(entries);
    })
    .chain((t) => fc.constantFrom(t, t, `\uFEFF${t}`, `${t}\u0000`))
    .map(text('unicode'));
  const binary = fc
    .oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom(...own).map((type) => new Uint8Array(Buffer.from(JSON.stringify({ type })))),
    )
    .map((bytes) => ({ kind: 'binary' as const, family: 'binary' as const, bytes }));
  const valid = validFrame(endpoint, targets).map(text('valid'));

  return fc.oneof(
    { weight: 3, arbitrary: validish },
    { weight: 1, arbitrary: foreignTypes },
    { weight: 2, arbitrary: randomJson },
    { weight: 2, arbitrary: notJson },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: deep },
    { weight: 2, arbitrary: poisoned },
    { weight: 2, arbitrary: unicode },
    { weight: 1, arbitrary: binary },
    { weight: 2, arbitrary: valid },
  );
}

/** Frames that are valid and change something, so the suite shows that valid input still works amid garbage. */
function validFrame(endpoint: Endpoint, targets: FuzzTargets): fc.Arbitrary<string> {
  const ping = fc.constant(JSON.stringify({ type: 'ping' }));
  if (endpoint === 'presence') return ping;
  if (endpoint === 'notifications') {
    return fc.oneof(
      ping,
      fc.constant(JSON.stringify({ type: 'mark_all_read' })),
      ...(targets.ownIds.length > 0
        ? [fc.constantFrom(...targets.ownIds).map((id) => JSON.stringify({ type: 'mark_read', notification_id: id }))]
        : []),
    );
  }
  return fc.oneof(
    ping,
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.option(fc.stringMatching(/^[a-z0-9]{1,12}$/), { nil: undefined }),
      )
      .map(([message, clientId]) =>
        JSON.stringify({ type: 'chat_message', message: `ok ${message}`, client_id: clientId }),
      ),
    fc.boolean().map((isTyping) => JSON.stringify({ type: 'typing', is_typing: isTyping })),
    ...(targets.ownIds.length > 0
      ? [fc.constantFrom(...targets.ownIds).map((id) => JSON.stringify({ type: 'read_receipt', message_id: id }))]
      : []),
  );
}

/** A seed from HOSTILE_SEED, or a fresh one; printed so that any failure can be replayed exactly. */
export function fuzzSeed(): number {
  const fromEnv = process.env.HOSTILE_SEED;
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv);
  return Math.floor(Math.random() * 0x7fffffff);
}

/** Blank-looking letters and symbols: Hangul fillers, braille blank. */
const FILLERS = /[\u115F\u1160\u3164\uFFA0\u2800]/gu;

/**
 * The oracle's own reading of "a visible character": a letter, digit, punctuation, symbol or
 * spacing mark (or a private-use or unassigned code point, which may render), fillers aside.
 */
function hasVisibleCharacter(text: string): boolean {
  return /[\p{L}\p{N}\p{P}\p{S}\p{Mc}\p{Co}\p{Cn}]/u.test(text.replace(FILLERS, ''));
}
