import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { UserEntity } from '@numerai/users';
import type { ChatMessageData, ErrorCode, NotificationData, PresenceUser } from '@numerai/protocol';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import type { TestServer } from '../support/server';
import { testClient } from '@numerai/testing';
import { connect, TestSocket } from '../support/ws-client';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export { sleep } from '../support/wait-for';

type Server = Pick<TestServer, 'wsUrl' | 'httpUrl'>;
type ConnectOptions = Parameters<typeof connect>[1];

export const chatUrl = (server: Server, consultationId: string, suffix = '/') =>
  `${server.wsUrl}/ws/chat/${consultationId}${suffix}`;
export const notificationsUrl = (server: Server, suffix = '/') => `${server.wsUrl}/ws/notifications${suffix}`;
export const presenceUrl = (server: Server, suffix = '/') => `${server.wsUrl}/ws/presence${suffix}`;

/** Opens a chat socket and checks that its first frame is exactly the published connection_established. */
export async function openChat(
  server: Server,
  consultationId: string,
  user: TestUser,
  options: ConnectOptions = {},
): Promise<TestSocket> {
  const chat = await testClient(server).chat(user, consultationId, options);
  expect(chat.established).toEqual({
    type: 'connection_established',
    message: 'Connected to chat',
    consultation_id: consultationId,
  });
  return chat.socket;
}

/** Opens a notifications socket: exactly connection_established, then at once unread_count (returned). */
export async function openNotifications(
  server: Server,
  user: TestUser,
  options: ConnectOptions = {},
): Promise<{ socket: TestSocket; count: number }> {
  const { socket, established } = await testClient(server).notifications(user, options);
  expect(established).toEqual({ type: 'connection_established', message: 'Connected to notifications' });
  const unread = await socket.next();
  expect(unread).toEqual({ type: 'unread_count', count: expect.any(Number) });
  return { socket, count: (unread as { count: number }).count };
}

/** Opens a presence socket: exactly connection_established, then presence_state (its users returned, sorted). */
export async function openPresence(
  server: Server,
  user: TestUser,
  options: ConnectOptions = {},
): Promise<{ socket: TestSocket; users: PresenceUser[] }> {
  const { socket, established } = await testClient(server).presence(user, options);
  expect(established).toEqual({ type: 'connection_established', message: 'Connected to presence' });
  const state = await socket.next();
  expect(state).toEqual({ type: 'presence_state', users: expect.any(Array) });
  const users = [...(state as { users: PresenceUser[] }).users].sort((a, b) => a.user_id.localeCompare(b.user_id));
  return { socket, users };
}

/**
 * A refusal as protocol.md has it: the upgrade succeeds, exactly one `error` frame with
 * `code` arrives, then the server closes with `closeCode`.
 */
export async function expectRefused(
  url: string,
  options: ConnectOptions,
  closeCode: number,
  code: ErrorCode | string,
): Promise<void> {
  const socket = await connect(url, options);
  const closed = await withTimeout(socket.closed, 5000, `close ${closeCode}`);
  expect(socket.frames).toEqual([{ type: 'error', code, message: expect.any(String) }]);
  expect(closed.code).toBe(closeCode);
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes every socket given (ignoring ones already closed) and waits for the close handshakes. */
export async function closeAll(...sockets: (TestSocket | undefined)[]): Promise<void> {
  await Promise.all(sockets.map((socket) => socket?.close()));
}

/** An `error` frame exactly as protocol.md shapes it (ref / retry_after_ms only when given). */
export function errorFrame(code: ErrorCode, extra: { ref?: string; retry_after_ms?: unknown } = {}) {
  return { type: 'error', code, message: expect.any(String), ...extra };
}

/** A chat_message `data` object, exactly the published keys (+ client_id when given). */
export function messageData(expected: Partial<ChatMessageData> & { sender_id: string; content: string }) {
  return {
    id: expect.stringMatching(UUID),
    sender_name: expect.any(String),
    created_at: expect.stringMatching(ISO),
    message_type: 'text',
    seq: expect.any(Number),
    ...expected,
  };
}

/** A notification `data` object, exactly the published keys (+ data when given). */
export function notificationData(expected: Partial<NotificationData>) {
  return {
    id: expect.stringMatching(UUID),
    title: expect.any(String),
    message: expect.any(String),
    notification_type: expect.any(String),
    is_read: false,
    created_at: expect.stringMatching(ISO),
    seq: expect.any(Number),
    ...expected,
  };
}

/** A registered user promoted to admin directly in the app's database (nobody can register as admin). */
export async function createAdmin(server: TestServer): Promise<TestUser> {
  const user = await createUser(server, { name: 'Admin' });
  await server.app.get(DataSource).getRepository(UserEntity).update(user.id, { role: 'admin' });
  return { ...user, role: 'admin' };
}

/** Notifies `userId` through the admin REST endpoint; returns the 201 body. */
export async function adminNotify(
  server: Server,
  admin: TestUser,
  userId: string,
  body: Partial<{ title: string; message: string; notification_type: string; data: Record<string, unknown> }> = {},
): Promise<NotificationData> {
  const res = await http<NotificationData>(server.httpUrl, 'POST', '/api/admin/notifications', {
    token: admin.token,
    body: {
      user_id: userId,
      title: 'Daily Reading Ready',
      message: 'Your daily reading is available',
      notification_type: 'daily_reading',
      ...body,
    },
  });
  if (res.status !== 201) throw new Error(`admin notify failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Every stored message of a consultation via REST history, newest first. */
export async function history(server: Server, user: TestUser, consultationId: string): Promise<ChatMessageData[]> {
  const res = await http<{ items: ChatMessageData[] }>(
    server.httpUrl,
    'GET',
    `/api/consultations/${consultationId}/messages?limit=100`,
    { token: user.token },
  );
  if (res.status !== 200) throw new Error(`history failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

/** What the participants wrote, newest first: the history without the consultation's own (system) messages. */
export async function textHistory(server: Server, user: TestUser, consultationId: string): Promise<ChatMessageData[]> {
  return (await history(server, user, consultationId)).filter((message) => message.message_type === 'text');
}

/** Every notification of a user via REST, newest first. */
export async function notificationsOf(server: Server, user: TestUser): Promise<NotificationData[]> {
  const res = await http<{ items: NotificationData[] }>(server.httpUrl, 'GET', '/api/notifications?limit=100', {
    token: user.token,
  });
  if (res.status !== 200) throw new Error(`list notifications failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

export async function unreadCount(server: Server, user: TestUser): Promise<number> {
  const res = await http<{ count: number }>(server.httpUrl, 'GET', '/api/notifications/unread-count', {
    token: user.token,
  });
  if (res.status !== 200) throw new Error(`unread-count failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.count;
}

/**
 * Sends a chat message and returns its stored `data` as the sender's own echo shows it: the
 * chat_message carrying this send's client_id (a fresh one unless given), not merely the next
 * one, which may be the other participant's message that arrived first.
 */
export async function say(
  socket: TestSocket,
  message: string,
  clientId: string = `say-${randomUUID()}`,
): Promise<ChatMessageData> {
  socket.send({ type: 'chat_message', message, client_id: clientId });
  const echo = await socket.nextMatching(
    'chat_message',
    (frame) => frame.data.client_id === clientId,
    `the echo of client_id ${clientId}`,
  );
  return echo.data;
}
