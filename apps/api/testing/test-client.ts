import type { ClientFrameMap, Endpoint, ServerFrameMap, ServerFrameType } from '@numerai/protocol';
import type { EndpointClientFrames, EndpointServerFrames, PayloadArgs } from '../../../libs/client/src/types';
import {
  createConsultation,
  createUser,
  messageHistory,
  type ConsultationOptions,
  type RestTarget,
  type TestUser,
} from './rest-factories';
import type { OpenSockets } from './open-sockets';
import type { TestApp } from './test-app';
import { connect, TestSocket } from './test-socket';

/** How to open a socket: resume parameters (`last_seq`, …) and upgrade headers. */
export interface OpenOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Use this token instead of the user's. */
  token?: string;
}

/**
 * A real `ws` connection to one endpoint, typed by the contract: `next` takes only the frame
 * types this endpoint sends and resolves with that frame's type; `send` only the ones it accepts.
 * `socket` is the untyped `TestSocket` underneath (every frame, raw sends, the close).
 */
export class EndpointConnection<E extends Endpoint> {
  constructor(
    readonly endpoint: E,
    readonly socket: TestSocket,
    /** The `connection_established` frame this connection opened with. */
    readonly established: ServerFrameMap['connection_established'],
  ) {}

  /** The next frame of `type` not yet read (frames of other types are skipped). */
  next<T extends EndpointServerFrames[E]>(type: T, timeoutMs?: number): Promise<ServerFrameMap[T]> {
    return this.socket.next(type, timeoutMs);
  }

  /** Sends `{ type, ...payload }`. */
  send<T extends EndpointClientFrames[E]>(type: T, ...args: PayloadArgs<T>): ClientFrameMap[T] {
    const frame = { ...(args[0] ?? {}), type } as unknown as ClientFrameMap[T];
    this.socket.send(frame);
    return frame;
  }

  /** Asserts nothing (of `type`) came before the answer to a marker sent now (see `TestSocket.expectSilence`). */
  expectSilence(type?: EndpointServerFrames[E] & ServerFrameType): Promise<void> {
    return this.socket.expectSilence(type);
  }

  /** Every frame of `type` received so far. */
  all<T extends EndpointServerFrames[E]>(type: T): ServerFrameMap[T][] {
    return this.socket.all(type);
  }

  close(code?: number): Promise<{ code: number; reason: string }> {
    return this.socket.close(code);
  }
}

/** Thrown when the server refuses a connection: its `error` frame and close code. */
export class ConnectionRefused extends Error {
  constructor(
    readonly frame: unknown,
    readonly closeCode: number | undefined,
  ) {
    super(`connection refused: ${JSON.stringify(frame)} (close ${closeCode ?? 'pending'})`);
  }
}

export interface TestClientOptions {
  /** Every socket this client opens is added here, e.g. to close them all after each test. */
  track?: OpenSockets;
}

/** The test client of one app: users and consultations through REST, typed sockets on the gateways. */
export interface TestClient {
  createUser(overrides?: Parameters<typeof createUser>[1]): Promise<TestUser>;
  createConsultation(options?: ConsultationOptions): ReturnType<typeof createConsultation>;
  /** The whole chat history, oldest first (paged through REST). */
  history(user: TestUser, consultationId: string): Promise<import('@numerai/protocol').ChatMessageData[]>;
  chat(user: TestUser, consultationId: string, options?: OpenOptions): Promise<EndpointConnection<'chat'>>;
  notifications(user: TestUser, options?: OpenOptions): Promise<EndpointConnection<'notifications'>>;
  presence(user: TestUser, options?: OpenOptions): Promise<EndpointConnection<'presence'>>;
  availability(user: TestUser, options?: OpenOptions): Promise<EndpointConnection<'availability'>>;
}

/**
 * `app` is anything serving the API: `startTestApp()`'s app, or a server process spawned by the
 * test (its `httpUrl` and `wsUrl`).
 *
 * ```ts
 * const app = await startTestApp();
 * const client = testClient(app);
 * const { consultation, client: user } = await client.createConsultation();
 * const chat = await client.chat(user, consultation.id);
 * chat.send('chat_message', { message: 'hi' });
 * const frame = await chat.next('chat_message'); // typed: frame.data.content
 * ```
 */
export function testClient(
  app: Pick<TestApp, 'httpUrl' | 'wsUrl'> & RestTarget,
  clientOptions: TestClientOptions = {},
): TestClient {
  const open = async <E extends Endpoint>(endpoint: E, path: string, user: TestUser, options: OpenOptions = {}) => {
    const socket = await connect(`${app.wsUrl}${path}`, {
      token: options.token ?? user.token,
      query: options.query,
      headers: options.headers,
    });
    clientOptions.track?.add(socket);
    const first = await socket.next(undefined).catch(async (error: unknown) => {
      await socket.close();
      throw error;
    });
    if (first.type !== 'connection_established') {
      const closed = await Promise.race([socket.closed, new Promise<undefined>((r) => setTimeout(r, 1000))]);
      throw new ConnectionRefused(first, closed?.code);
    }
    return new EndpointConnection(endpoint, socket, first);
  };
  return {
    createUser: (overrides) => createUser(app, overrides),
    createConsultation: (options) => createConsultation(app, options),
    history: (user, consultationId) => messageHistory(app, user.token, consultationId),
    chat: (user, consultationId, options) =>
      open('chat', `/ws/chat/${encodeURIComponent(consultationId)}/`, user, options),
    notifications: (user, options) => open('notifications', '/ws/notifications/', user, options),
    presence: (user, options) => open('presence', '/ws/presence/', user, options),
    availability: (user, options) => open('availability', '/ws/availability/', user, options),
  };
}
