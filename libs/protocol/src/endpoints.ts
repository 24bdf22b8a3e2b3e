/**
 * THE contract of the real-time API: every endpoint with its path, who may connect, the frames
 * it accepts and sends (with their schemas), its room key and its connection context. The
 * gateways' handler tables and inbound validation, the SDK's types, the fuzz suite's oracle and
 * the AsyncAPI document (GET /api/asyncapi.json) are all derived from this one declaration
 * (docs/websocket-api.md wins where they could differ; docs/protocol.md names the additions).
 */
import {
  type AnySchema,
  bool,
  characters,
  dateTime,
  describe,
  type Infer,
  int,
  obj,
  type ObjectSchema,
  oneOf,
  opt,
  record,
  type Schema,
  type Shape,
  str,
  type StringRule,
  uuid,
  arr,
} from './schema';

export const ERROR_CODES = [
  'invalid_json',
  'unknown_type',
  'validation_failed',
  'not_found',
  'consultation_closed',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'too_many_connections',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Protocol limits. */
export const Limits = {
  maxFrameBytes: 64 * 1024,
  maxMessageChars: 4000,
  maxClientIdChars: 64,
} as const;

// ---- frames -----------------------------------------------------------------

/** A frame: a flat JSON object whose `type` names it. */
export type FrameSchema<T extends string = string, S extends Shape = Shape> = ObjectSchema<{ type: Schema<T> } & S> & {
  readonly frameType: T;
  readonly summary: string;
};

export function frame<const T extends string, S extends Shape>(type: T, summary: string, fields: S): FrameSchema<T, S> {
  const schema = obj({ type: oneOf([type]), ...fields }, summary);
  // The spread loses the intersection the caller's type names; the shape is the same.
  return Object.assign(schema, { frameType: type, summary }) as unknown as FrameSchema<T, S>;
}

/**
 * PostgreSQL cannot store U+0000, and unpaired surrogates become U+FFFD (two client_ids would
 * collide). The same rule as libs/common's STORABLE_TEXT, restated because this module ships in
 * the browser SDK, which must not import server code.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this excludes
const STORABLE = /^(?:[^\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
const storable = (field: string): StringRule => ({
  test: (value) => STORABLE.test(value),
  message: `${field} must not contain NUL characters or unpaired surrogates`,
});

// Client → server frames accepted on every endpoint (handled by the runtime itself).
const ping = frame('ping', 'Application-level keep-alive; answered with `pong`.', {});
const auth = frame('auth', 'Renews the connection with a fresh token for the same user; answered with `auth_ok`.', {
  token: str({
    rules: [
      { test: (value) => value.length > 0, message: 'token must not be empty', json: { minLength: 1 } },
      { test: (value) => characters(value) <= 4096, message: 'token is too long', json: { maxLength: 4096 } },
    ],
  }),
});

export const builtInClientFrames = { ping, auth };

// Server → client frames sent on every endpoint.
const connectionEstablished = frame('connection_established', 'First frame of every accepted connection.', {
  message: str(),
  consultation_id: opt(describe(uuid(), 'chat only')),
});
const pong = frame('pong', 'Answer to `ping`.', {});
const authOk = frame('auth_ok', 'The in-band `auth` was accepted; the connection now expires then.', {
  expires_at: dateTime(),
});
const error = frame('error', 'A frame or the connection was refused; see docs/protocol.md for the codes.', {
  code: oneOf(ERROR_CODES),
  message: str(),
  ref: opt(describe(str(), 'the client_id of the frame this answers, when it had one')),
  retry_after_ms: opt(describe(int({ minimum: 0 }), 'with rate_limited')),
});
const replayComplete = frame('replay_complete', 'End of a catch-up replay (after `?last_seq=` and the like).', {
  count: int({ minimum: 0 }),
  has_more: opt(describe(bool(), 'more was stored than REPLAY_MAX allowed: page the rest through REST')),
});
const seq = describe(int({ minimum: 1 }), 'position: 1, 2, 3, … with no gap; always sent by this server');

export const chatMessageData = obj({
  id: uuid(),
  sender_id: uuid(),
  sender_name: str(),
  content: str(),
  created_at: dateTime(),
  message_type: describe(oneOf(['text', 'system']), '`system`: the consultation itself reports a lifecycle step'),
  event: opt(describe(str(), 'system messages only: consultation_booked, consultation_started, …')),
  client_id: opt(describe(str(), 'present when the sender gave one (idempotency key)')),
  seq: opt(seq),
});

export const notificationData = obj({
  id: uuid(),
  title: str(),
  message: str(),
  notification_type: str(),
  is_read: bool(),
  created_at: dateTime(),
  data: opt(describe(record(), 'extra fields of the notification, when it has any')),
  seq: opt(seq),
});

export const presenceUser = obj({ user_id: uuid(), user_name: str() });

export type ChatMessageData = Infer<typeof chatMessageData>;
export type NotificationData = Infer<typeof notificationData>;
export type PresenceUser = Infer<typeof presenceUser>;

// ---- live sessions ------------------------------------------------------------

/** Where a live per-minute session is (libs/live-sessions, docs/protocol.md "Live sessions"). */
export const LIVE_SESSION_STATUSES = ['requested', 'active', 'paused', 'ended', 'lapsed'] as const;
export type LiveSessionStatus = (typeof LIVE_SESSION_STATUSES)[number];

/** Why a live session ended. */
export const LIVE_SESSION_END_REASONS = [
  'client',
  'numerologist',
  'balance',
  'numerologist_away',
  'consultation_closed',
] as const;
export type LiveSessionEndReason = (typeof LIVE_SESSION_END_REASONS)[number];

const minor = (what: string) => describe(int({ minimum: 0 }), `${what}, minor units of \`currency\``);
const seconds = (what: string) => describe(int({ minimum: 0 }), what);

/** A live session as both participants see it; the server is its clock. */
export const liveSessionData = obj({
  session_id: uuid(),
  consultation_id: uuid(),
  status: oneOf(LIVE_SESSION_STATUSES),
  rate_minor: describe(int({ minimum: 1 }), 'per started minute, minor units of `currency`'),
  currency: str(),
  free_minutes: describe(int({ minimum: 0 }), 'the first minutes that are not charged (a first session)'),
  minutes_charged: int({ minimum: 0 }),
  amount_charged: minor('what the client paid so far'),
  seconds_paid: seconds('paid for and not yet used: the rest of the current minute (0 unless active)'),
  seconds_left: seconds('until the session ends by itself at the current balance (0 unless active)'),
  requested_at: dateTime(),
  expires_at: opt(describe(dateTime(), 'requested only: when the request lapses unless accepted')),
  started_at: opt(describe(dateTime(), 'when it was accepted')),
  ended_at: opt(dateTime()),
  end_reason: opt(oneOf(LIVE_SESSION_END_REASONS)),
  server_time: describe(dateTime(), "the server's clock when this was sent: count down from it"),
});
export type LiveSessionData = Infer<typeof liveSessionData>;

// ---- ordered streams ------------------------------------------------------------

/**
 * An ordered stream (docs/protocol.md, "Positions and order"): items with a `seq` per key (1, 2,
 * 3, … with no gap), each sent as one frame `{type, data}`, resumed after a position. Declared
 * once here; the server's delivery (libs/realtime StreamDelivery), the endpoint's resume query,
 * the SDK's stream sessions and the shared stream suite (test/streams) all read it.
 */
export interface StreamContract<Frame extends FrameSchema = FrameSchema> {
  /** The endpoint the stream is read on. */
  readonly endpoint: string;
  /** The frame that carries one item as its `data`. */
  readonly frame: Frame;
  /** What an item is called in the docs ("message", "notification"). */
  readonly item: string;
  /** What one stream is: its key (a path parameter of the endpoint, or the connected user). */
  readonly key:
    { readonly param: string; readonly describe: string } | { readonly user: true; readonly describe: string };
  /**
   * The resume query parameters: a position, or the id of the newest item held (as the API
   * document names it), and how an id that is no item of this stream is refused (`not_found`).
   */
  readonly resume: { readonly seq: 'last_seq'; readonly id: string; readonly unknownId: string };
  /** The REST page of items after a position: `path` (with `{param}`s)`?after_seq=<n>&limit=<size>`, at most `size` a page. */
  readonly page: { readonly path: string; readonly size: number };
}

/** The item type of a stream (the `data` of its frame). */
export type StreamItemOf<S> =
  S extends StreamContract<infer F> ? (Infer<F> extends { data: infer D } ? D : never) : never;

/** The frame type name of a stream. */
export type StreamFrameOf<S> = S extends StreamContract<infer F> ? F['frameType'] : never;

/** Declares an ordered stream (its frame's type is kept exact, so its item type follows). */
export function declareStream<const F extends FrameSchema>(contract: StreamContract<F>): StreamContract<F> {
  return contract;
}

/** A stream's resume query parameters, as its endpoint publishes them. */
function resumeQuery(contract: StreamContract<FrameSchema>): Record<string, string> {
  const item = contract.item;
  return {
    [contract.resume.seq]: `replay every ${item} after this position, then replay_complete`,
    [contract.resume.id]: `the same by the id of the newest ${item} the client holds`,
  };
}

/** A consultation's messages. */
export const chatStream = declareStream({
  endpoint: 'chat',
  frame: frame('chat_message', 'A stored message, to every connection of both participants.', {
    data: chatMessageData,
  }),
  item: 'message',
  key: { param: 'consultation_id', describe: 'the consultation id' },
  resume: {
    seq: 'last_seq',
    id: 'last_message_id',
    unknownId: 'last_message_id is not a message of this consultation',
  },
  page: { path: '/api/consultations/{consultation_id}/messages', size: 100 },
});

/** A user's notifications. */
export const notificationsStream = declareStream({
  endpoint: 'notifications',
  frame: frame('notification', 'A new notification, to every connection of its recipient.', {
    data: notificationData,
  }),
  item: 'notification',
  key: { user: true, describe: 'the user id' },
  resume: {
    seq: 'last_seq',
    id: 'last_notification_id',
    unknownId: 'last_notification_id is not one of your notifications',
  },
  page: { path: '/api/notifications', size: 100 },
});

// ---- endpoints ----------------------------------------------------------------

export type FrameSet = Record<string, FrameSchema>;

export interface EndpointContract<
  Name extends string = string,
  Context = unknown,
  Client extends FrameSet = FrameSet,
  Server extends FrameSet = FrameSet,
> {
  readonly name: Name;
  /** The published URL (AsyncAPI channel address); the trailing slash is optional. */
  readonly address: string;
  /** The same as a route template (`:param`), as the gateway registers it. */
  readonly route: string;
  /** Path parameters and what they are. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Optional query parameters besides the token (resume points). */
  readonly query: Readonly<Record<string, string>>;
  /** Who may connect. */
  readonly audience: string;
  /** Frames a client may send, `ping` and `auth` included. */
  readonly client: Client;
  /** Frames the server may send. */
  readonly server: Server;
  /** What the room key is (a consultation id, a user id). */
  readonly roomKey: string;
  /** The room a connection keyed by `key` reads: broadcasts to it reach every such connection. */
  room(key: string): string;
  /** Never set: the gateway's per-connection state (ClientConnection.context). */
  readonly __context?: Context;
}

/** The context type a gateway attaches to each of its connections. */
export type ContextOf<E> = E extends EndpointContract<string, infer C> ? C : never;

const builtInServerFrames = { pong, auth_ok: authOk, error };
type WithBuiltIns<Name extends string, Context, Client extends FrameSet, Server extends FrameSet> = EndpointContract<
  Name,
  Context,
  Client & typeof builtInClientFrames,
  { connection_established: typeof connectionEstablished } & Server & typeof builtInServerFrames
>;

/**
 * The registry room of an endpoint's connections keyed by `key` (a consultation, a user):
 * `<endpoint>:<key>`. The one place a room is named: the event bus's channel keys and the
 * Redis channels are built from it (libs/events event-routes, libs/scale-out).
 */
export function roomName(endpoint: string, key: string): string {
  return `${endpoint}:${key}`;
}

/** Declares an endpoint: the frames every endpoint has are added, its rooms are `roomName(name, key)`. */
function endpoint<Context>() {
  return <const Name extends string, Client extends FrameSet, Server extends FrameSet>(
    contract: Omit<EndpointContract<Name, Context, Client, Server>, 'room' | '__context'>,
  ): WithBuiltIns<Name, Context, Client, Server> => ({
    ...contract,
    client: { ...contract.client, ...builtInClientFrames },
    server: { connection_established: connectionEstablished, ...contract.server, ...builtInServerFrames },
    room: (key: string) => roomName(contract.name, key),
  });
}

/** The endpoint of a stream that has nothing else: its item frame and `replay_complete`, no client frame of its own. */
export type StreamOnlyEndpoint<S extends StreamContract> = WithBuiltIns<
  string,
  { key: string },
  Record<never, FrameSchema>,
  Record<StreamFrameOf<S>, S['frame']> & { replay_complete: typeof replayComplete }
>;

/**
 * The endpoint of a stream declared on its own (a new stream needs no hand-written endpoint):
 * `/ws/<endpoint>/`, or `/ws/<endpoint>/{param}/` when a path parameter keys it.
 */
export function streamEndpoint<S extends StreamContract>(contract: S): StreamOnlyEndpoint<S> {
  const param = 'param' in contract.key ? contract.key.param : undefined;
  return endpoint<{ key: string }>()({
    name: contract.endpoint,
    address: param ? `/ws/${contract.endpoint}/{${param}}/` : `/ws/${contract.endpoint}/`,
    route: param ? `/ws/${contract.endpoint}/:${param}` : `/ws/${contract.endpoint}`,
    parameters: param ? { [param]: contract.key.describe } : {},
    query: resumeQuery(contract),
    audience: param ? `who may read ${contract.key.describe}` : 'any authenticated user; reads only their own',
    roomKey: contract.key.describe,
    client: {},
    server: { [contract.frame.frameType]: contract.frame, replay_complete: replayComplete },
  }) as unknown as StreamOnlyEndpoint<S>;
}

/** A chat connection's state: its consultation and the two participants (fixed for its lifetime). */
export interface ChatContext {
  consultationId: string;
  participantIds: [string, string];
}

export const chatEndpoint = endpoint<ChatContext>()({
  name: 'chat',
  address: '/ws/chat/{consultation_id}/',
  route: '/ws/chat/:consultation_id',
  parameters: { consultation_id: 'the consultation (a UUID)' },
  query: resumeQuery(chatStream),
  audience: "the consultation's two participants (its client user and its numerologist)",
  roomKey: 'the consultation id',
  client: {
    chat_message: frame('chat_message', 'Sends a message to the consultation.', {
      message: str({
        rules: [
          // A hard cap that guards memory before trimming; the 4,000-character rule is the chat service's, after trimming.
          {
            test: (value) => characters(value) <= Limits.maxMessageChars * 4,
            message: `message must be at most ${Limits.maxMessageChars} characters`,
            json: { maxLength: Limits.maxMessageChars, description: 'not empty once trimmed' },
          },
          storable('message'),
        ],
      }),
      client_id: opt(
        str({
          rules: [
            // Counted in UTF-16 units, never more than the varchar(64) column holds.
            {
              test: (value) => value.length >= 1 && value.length <= Limits.maxClientIdChars,
              message: `client_id must be 1 to ${Limits.maxClientIdChars} characters`,
              json: { minLength: 1, maxLength: Limits.maxClientIdChars, description: 'idempotency key' },
            },
            storable('client_id'),
          ],
        }),
      ),
    }),
    typing: frame('typing', 'Starts or stops the typing indicator the other participant sees.', {
      is_typing: bool(),
    }),
    read_receipt: frame('read_receipt', 'Marks this message and every earlier one as read.', {
      message_id: uuid(),
    }),
  },
  server: {
    chat_message: chatStream.frame,
    typing_indicator: frame('typing_indicator', "The other participant's typing state.", {
      user_id: uuid(),
      user_name: str(),
      is_typing: bool(),
    }),
    read_receipt: frame('read_receipt', "A participant's read marker moved.", {
      message_id: uuid(),
      user_id: uuid(),
      read_at: dateTime(),
      seq: opt(describe(int({ minimum: 0 }), 'the position the marker moved to')),
    }),
    replay_complete: replayComplete,
    session_state: frame(
      'session_state',
      'The live session of this consultation changed: requested, accepted, a minute charged, paused, resumed, a top-up, ended or lapsed.',
      { data: liveSessionData },
    ),
    low_balance: frame('low_balance', 'Two minutes or less are left at the current balance: top up to go on.', {
      session_id: uuid(),
      seconds_left: int({ minimum: 0 }),
      balance_minor: minor('the client’s balance now'),
    }),
  },
});

export const notificationsEndpoint = endpoint<undefined>()({
  name: 'notifications',
  address: '/ws/notifications/',
  route: '/ws/notifications',
  parameters: {},
  query: resumeQuery(notificationsStream),
  audience: 'any authenticated user; receives only their own notifications',
  roomKey: 'the user id',
  client: {
    mark_read: frame('mark_read', 'Marks one of your notifications as read.', { notification_id: uuid() }),
    mark_all_read: frame('mark_all_read', 'Marks all your notifications as read.', {}),
  },
  server: {
    notification: notificationsStream.frame,
    unread_count: frame('unread_count', 'How many of your notifications are unread, after anything changed it.', {
      count: int({ minimum: 0 }),
    }),
    replay_complete: replayComplete,
  },
});

export const AVAILABILITY_STATUSES = ['available', 'busy', 'offline'] as const;
export type AvailabilityStatus = (typeof AVAILABILITY_STATUSES)[number];

/**
 * A numerologist sets their own availability on a socket they hold anyway: the presence socket
 * (always open in their app) or the availability listing's. One declaration, on both endpoints.
 */
const setAvailability = frame(
  'set_availability',
  'Numerologists only: become available, busy or offline (as PUT /api/availability); answered with `availability_set`.',
  { status: oneOf(AVAILABILITY_STATUSES) },
);
const availabilitySet = frame('availability_set', "The numerologist's own status and rate, after `set_availability`.", {
  status: oneOf(AVAILABILITY_STATUSES),
  rate_minor: opt(describe(int({ minimum: 1 }), 'absent until a rate is set')),
  currency: str(),
});

/**
 * A presence connection's state: the contacts it has been shown online, so it is told
 * `user_offline` only about someone it saw online. Null until its `presence_state` is sent.
 */
export interface PresenceContext {
  shown: Set<string> | null;
}

export const presenceEndpoint = endpoint<PresenceContext>()({
  name: 'presence',
  address: '/ws/presence/',
  route: '/ws/presence',
  parameters: {},
  query: {},
  audience: 'any authenticated user; sees only their contacts',
  roomKey: 'the user id',
  client: {
    set_availability: setAvailability,
  },
  server: {
    presence_state: frame('presence_state', 'The contacts online right now (right after connecting).', {
      users: arr(presenceUser),
    }),
    user_online: frame('user_online', 'A contact came online.', { user_id: uuid(), user_name: str() }),
    user_offline: frame('user_offline', 'A contact went offline (after a grace period).', {
      user_id: uuid(),
      last_seen: opt(dateTime()),
    }),
    availability_set: availabilitySet,
  },
});

/** A numerologist clients can start a live session with now: the REST list's item. */
export const availableNumerologist = obj({
  user_id: uuid(),
  full_name: str(),
  rate_minor: describe(int({ minimum: 1 }), 'per minute, in minor units of `currency`'),
  currency: str(),
});
export type AvailableNumerologist = Infer<typeof availableNumerologist>;

/** Limits of `/ws/availability/`: its pages, as the REST list's largest. */
export const AvailabilityLimits = { pageSize: 100 } as const;

/**
 * `/ws/availability/` is one public listing: every connection reads the same room, whatever
 * its user (unlike presence, where each user sees only their contacts).
 */
export const AVAILABILITY_ROOM_KEY = 'public';

/**
 * The public listing of numerologists available for a live session, kept live. Only a
 * numerologist's own opt-in (`available`) puts them in it: someone never listed is never
 * mentioned, not even as leaving.
 */
export const availabilityEndpoint = endpoint<undefined>()({
  name: 'availability',
  address: '/ws/availability/',
  route: '/ws/availability',
  parameters: {},
  query: {},
  audience: 'any authenticated user; sees only numerologists who made themselves available',
  roomKey: `one room for everyone ("${AVAILABILITY_ROOM_KEY}")`,
  client: {
    list_available: frame('list_available', 'Asks for the next page of the listing; answered with `available_page`.', {
      cursor: describe(uuid(), 'the `next_cursor` of the previous page'),
    }),
    set_availability: setAvailability,
  },
  server: {
    available_page: frame(
      'available_page',
      'A page of the numerologists available now, by id: the first right after connecting, the others on `list_available`.',
      {
        items: arr(availableNumerologist),
        next_cursor: opt(describe(uuid(), 'absent on the last page; send it in `list_available` for the next')),
      },
    ),
    availability_changed: frame(
      'availability_changed',
      'A listed numerologist changed: joined the listing (`available`), changed their rate, or left it (`busy`, `offline`).',
      {
        user_id: uuid(),
        full_name: str(),
        status: oneOf(AVAILABILITY_STATUSES),
        rate_minor: describe(int({ minimum: 1 }), 'per minute, in minor units of `currency`'),
        currency: str(),
      },
    ),
    availability_set: availabilitySet,
  },
});

/** Every endpoint, by name. Adding one here is all the runtime, SDK types and AsyncAPI need. */
export const ENDPOINTS = {
  chat: chatEndpoint,
  notifications: notificationsEndpoint,
  presence: presenceEndpoint,
  availability: availabilityEndpoint,
} as const;

/** Every ordered stream, by the endpoint it is read on. */
export const STREAMS = {
  chat: chatStream,
  notifications: notificationsStream,
} as const;

export type Streams = typeof STREAMS;
export type StreamEndpoint = keyof Streams;

export type Endpoints = typeof ENDPOINTS;
export type Endpoint = keyof Endpoints;
export type AnyEndpoint = Endpoints[Endpoint];

/** Client frames every endpoint accepts, handled by the runtime itself. */
export type BuiltInClientFrame = keyof typeof builtInClientFrames;

/** Frame type names of an endpoint, as a union. */
export type ClientFrameTypeOf<E extends Endpoint> = keyof Endpoints[E]['client'] & string;
export type ServerFrameTypeOf<E extends Endpoint> = keyof Endpoints[E]['server'] & string;

type KeysOfUnion<U> = U extends unknown ? keyof U : never;
type SchemaAt<U, K> = U extends unknown ? (K extends keyof U ? U[K] : never) : never;
type ClientSets = Endpoints[Endpoint]['client'];
type ServerSets = Endpoints[Endpoint]['server'];

/** Every client frame by type, over all endpoints. */
export type ClientFrameMap = { [K in KeysOfUnion<ClientSets> & string]: Infer<SchemaAt<ClientSets, K>> };
/** Every server frame by type, over all endpoints. */
export type ServerFrameMap = { [K in KeysOfUnion<ServerSets> & string]: Infer<SchemaAt<ServerSets, K>> };
export type ClientFrameType = keyof ClientFrameMap;
export type ClientFrame = ClientFrameMap[ClientFrameType];
export type ServerFrameType = keyof ServerFrameMap;
export type ServerFrame = ServerFrameMap[ServerFrameType];

/** A client frame's schema on an endpoint, or undefined when the endpoint does not accept that type. */
export function clientFrameSchema(name: Endpoint, type: string): AnySchema | undefined {
  const frames: FrameSet = ENDPOINTS[name].client;
  return Object.hasOwn(frames, type) ? frames[type] : undefined;
}

/** Which client frames each endpoint accepts (`ping` and `auth` included), derived from the contract. */
export const CLIENT_FRAMES_BY_ENDPOINT: { [E in Endpoint]: readonly ClientFrameTypeOf<E>[] } = {
  chat: keysOf(chatEndpoint.client),
  notifications: keysOf(notificationsEndpoint.client),
  presence: keysOf(presenceEndpoint.client),
  availability: keysOf(availabilityEndpoint.client),
};

function keysOf<T extends object>(value: T): (keyof T & string)[] {
  return Object.keys(value) as (keyof T & string)[];
}

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Capitalize<Head>}${Camel<Tail>}`
  : Capitalize<S>;
/** The gateway method that handles a client frame: `chat_message` → `onChatMessage`. */
export type HandlerName<T extends string> = `on${Camel<T>}`;

export function handlerName<T extends string>(type: T): HandlerName<T> {
  return `on${type
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}` as HandlerName<T>;
}
