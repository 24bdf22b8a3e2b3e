/**
 * PROTOCOL STUB — not the NumerAI server.
 *
 * A few hundred lines of plain `ws` + `http` that speak the wire protocol of
 * docs/protocol.md closely enough to exercise the client SDK and the React hooks
 * while the real gateways (libs/realtime, libs/chat, …) are being written, and to stage
 * failures the real server will not produce on demand (lost acknowledgements, restarts on
 * the same port, refusals). Suites against the real server live in sdk.e2e-spec.ts and
 * test/browser/.
 *
 * It speaks positions (protocol.md "Positions and order"): `seq` on messages and notifications,
 * `?last_seq=` (and the older `?last_message_id=` / `?last_notification_id=`), replays bounded
 * by `replayMax` ending in `replay_complete` with `has_more`, REST `after_seq` paging, and
 * in-band `auth`. `numbered = false` makes it a server from before positions (no seq at all).
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ChatMessageData, ClientFrame, NotificationData, ServerFrame } from '@numerai/protocol';
import { decodeJwtClaims } from '../../../libs/client/src';
import { jwtWith } from '../../../libs/client/src/jwt.test-support';

export interface StubUser {
  id: string;
  name: string;
  token: string;
}

interface Connection {
  ws: WebSocket;
  user: StubUser;
  endpoint: 'chat' | 'notifications' | 'presence';
  consultationId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class ProtocolStub {
  readonly users = new Map<string, StubUser>(); // by token
  readonly consultations = new Map<string, { participants: [string, string] }>();
  readonly messages = new Map<string, ChatMessageData[]>();
  readonly notifications = new Map<string, NotificationData[]>();
  /** Every client frame received, in order. */
  readonly received: Array<{ userId: string; endpoint: string; frame: ClientFrame }> = [];
  /** Upgrade URLs seen, for assertions on tokens and last_message_id. */
  readonly upgrades: URL[] = [];
  /** When set, a stored chat message is not echoed to its sender's connection (a lost acknowledgement). */
  dropEchoToSender = false;
  /** Close codes to refuse the next upgrades with, consumed in order. */
  readonly refuseNext: number[] = [];
  /** False: a server from before positions — no `seq` anywhere, `last_seq` and `after_seq` ignored. */
  numbered = true;
  /** Most items one replay sends before `replay_complete` says `has_more` (the server's REPLAY_MAX). */
  replayMax = 1000;
  /** When it returns true for a stored message, that message is not sent live (a lost frame: the client sees a gap). */
  withholdLive: (data: ChatMessageData) => boolean = () => false;
  /** Every REST request, path and query, in order. */
  readonly restRequests: URL[] = [];

  private http!: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly connections = new Set<Connection>();
  private sequence = 0;
  private port = 0;

  static async start(): Promise<ProtocolStub> {
    const stub = new ProtocolStub();
    await stub.listen(0);
    return stub;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  addUser(name: string): StubUser {
    const user = { id: randomUUID(), name, token: `tok-${randomUUID()}` };
    this.users.set(user.token, user);
    return user;
  }

  addConsultation(a: StubUser, b: StubUser): string {
    const id = randomUUID();
    this.consultations.set(id, { participants: [a.id, b.id] });
    this.messages.set(id, []);
    return id;
  }

  /** Stores a notification and pushes it (plus the new unread count) to the user's connections. */
  notify(user: StubUser, title: string, notification_type = 'system'): NotificationData {
    const list = this.listOf(user.id);
    const notification: NotificationData = {
      id: this.nextId(),
      title,
      message: `${title} (message)`,
      notification_type,
      is_read: false,
      created_at: new Date().toISOString(),
      ...this.position(list.length + 1),
    };
    list.push(notification);
    this.toUser(user.id, 'notifications', { type: 'notification', data: notification });
    this.sendUnreadCount(user.id);
    return notification;
  }

  /** Stores a chat message as if `sender` wrote it elsewhere, and sends it live (unless withheld). */
  storeMessage(consultationId: string, sender: StubUser, content: string): ChatMessageData {
    const all = this.messages.get(consultationId)!;
    const data: ChatMessageData = {
      id: this.nextId(),
      sender_id: sender.id,
      sender_name: sender.name,
      content,
      created_at: new Date().toISOString(),
      message_type: 'text',
      ...this.position(all.length + 1),
    };
    all.push(data);
    if (!this.withholdLive(data)) this.toConsultation(consultationId, { type: 'chat_message', data });
    return data;
  }

  /** Sends `frame` as it is to every connection of `userId` on `endpoint` (duplicates, out-of-order, …). */
  sendRaw(userId: string, endpoint: Connection['endpoint'], frame: ServerFrame): void {
    this.toUser(userId, endpoint, frame);
  }

  /** Registers another token for `user` (for in-band `auth`); `lifetimeSeconds` makes it a JWT-shaped token with `exp`. */
  issueToken(user: StubUser, lifetimeSeconds?: number): string {
    const token =
      lifetimeSeconds === undefined
        ? `tok-${randomUUID()}`
        : jwtWith({
            sub: user.id,
            iat: Math.floor(Date.now() / 1000),
            exp: Math.floor(Date.now() / 1000) + lifetimeSeconds,
            jti: randomUUID(),
          });
    this.users.set(token, user);
    return token;
  }

  chatConnections(userId?: string): number {
    return [...this.connections].filter((c) => c.endpoint === 'chat' && (!userId || c.user.id === userId)).length;
  }

  /** Drops every socket of `userId` without a close frame (their network went away); the others stay. */
  dropUser(userId: string): void {
    for (const connection of this.connections) if (connection.user.id === userId) connection.ws.terminate();
  }

  /** Closes every open socket with `code` (the server stays up). */
  closeAll(code = 1001): void {
    for (const connection of this.connections) connection.ws.close(code, 'stub closeAll');
  }

  /** Stops listening and drops every socket without a close frame, like a crashed server. */
  async stop(): Promise<void> {
    for (const connection of this.connections) connection.ws.terminate();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Listens again on the same port, with the same data. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    if (this.http.listening) await this.stop();
    this.wss.close();
  }

  // ---- transport ----------------------------------------------------------------------

  private async listen(port: number): Promise<void> {
    this.http = createServer((req, res) => this.handleHttp(req, res));
    this.http.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.http.address() as AddressInfo).port;
  }

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stub');
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const user = this.users.get(token);
    this.restRequests.push(url);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!user) return json(401, { statusCode: 401, error: 'Unauthorized', message: 'Unauthorized' });
    const history = /^\/api\/consultations\/([^/]+)\/messages$/.exec(url.pathname);
    if (req.method === 'GET' && history) {
      const consultation = this.consultations.get(history[1]);
      if (!consultation || !consultation.participants.includes(user.id)) {
        return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found' });
      }
      const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 50));
      const stored = this.messages.get(history[1]) ?? [];
      const afterSeq = url.searchParams.get('after_seq');
      if (afterSeq !== null && this.numbered) {
        const items = stored.slice(Number(afterSeq), Number(afterSeq) + limit); // oldest first; seq = index + 1
        const more = stored.length > Number(afterSeq) + limit;
        return json(200, { items, next_before: null, next_after_seq: more ? items[items.length - 1].seq : null });
      }
      const before = url.searchParams.get('before');
      let all = [...stored].reverse();
      if (before) all = all.slice(all.findIndex((m) => m.id === before) + 1);
      const items = all.slice(0, limit);
      return json(200, { items, next_before: all.length > limit ? items[items.length - 1].id : null });
    }
    if (req.method === 'GET' && url.pathname === '/api/notifications') {
      const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 50));
      const afterSeq = url.searchParams.get('after_seq');
      if (afterSeq !== null && this.numbered) {
        const list = this.listOf(user.id);
        const items = list.slice(Number(afterSeq), Number(afterSeq) + limit);
        const more = list.length > Number(afterSeq) + limit;
        return json(200, { items, next_before: null, next_after_seq: more ? items[items.length - 1].seq : null });
      }
      const items = [...this.listOf(user.id)].reverse().slice(0, limit);
      return json(200, { items, next_before: null });
    }
    if (req.method === 'GET' && url.pathname === '/api/users/me') {
      return json(200, { id: user.id, email: `${user.id}@stub`, full_name: user.name, role: 'user' });
    }
    return json(404, { statusCode: 404, error: 'Not Found', message: 'Not found' });
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://stub');
    this.upgrades.push(url);
    const match = /^\/ws\/(chat\/([^/]+)|notifications|presence)\/?$/.exec(url.pathname);
    if (!match) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const refuse = (code: number, errorCode: string, message: string) => {
        ws.send(JSON.stringify({ type: 'error', code: errorCode, message }));
        ws.close(code, message);
      };
      const forced = this.refuseNext.shift();
      if (forced) return refuse(forced, forced === 4401 ? 'unauthorized' : 'forbidden', 'refused by the stub');
      const user = this.users.get(url.searchParams.get('token') ?? '');
      if (!user) return refuse(4401, 'unauthorized', 'missing or invalid token');
      const endpoint = match[2] ? 'chat' : (match[1] as 'notifications' | 'presence');
      const consultationId = match[2];
      if (consultationId) {
        if (!UUID.test(consultationId)) return refuse(4400, 'validation_failed', 'consultation id is not a UUID');
        const consultation = this.consultations.get(consultationId);
        if (!consultation) return refuse(4404, 'not_found', 'no such consultation');
        if (!consultation.participants.includes(user.id)) return refuse(4403, 'forbidden', 'not a participant');
      }
      const connection: Connection = { ws, user, endpoint, consultationId };
      const firstForUser = ![...this.connections].some((c) => c.user.id === user.id);
      this.connections.add(connection);
      ws.on('close', () => this.handleClose(connection));
      ws.on('message', (data) => this.handleFrame(connection, data.toString()));
      this.established(connection, url);
      if (firstForUser) {
        for (const contact of this.contactsOf(user.id)) {
          this.toUser(contact, 'presence', { type: 'user_online', user_id: user.id, user_name: user.name });
        }
      }
    });
  }

  private established(connection: Connection, url: URL): void {
    const { user, endpoint, consultationId } = connection;
    if (endpoint === 'chat') {
      this.send(connection, {
        type: 'connection_established',
        message: 'Connected to chat',
        consultation_id: consultationId,
      });
      this.replay(connection, url, this.messages.get(consultationId!)!, 'last_message_id', (data) => ({
        type: 'chat_message',
        data,
      }));
    } else if (endpoint === 'notifications') {
      this.send(connection, { type: 'connection_established', message: 'Connected to notifications' });
      this.send(connection, { type: 'unread_count', count: this.unread(user.id) });
      this.replay(connection, url, this.listOf(user.id), 'last_notification_id', (data) => ({
        type: 'notification',
        data,
      }));
    } else {
      this.send(connection, { type: 'connection_established', message: 'Connected to presence' });
      const online = this.contactsOf(user.id)
        .map((id) => [...this.connections].find((c) => c.user.id === id)?.user)
        .filter((u): u is StubUser => Boolean(u));
      this.send(connection, {
        type: 'presence_state',
        users: online.map((u) => ({ user_id: u.id, user_name: u.name })),
      });
    }
  }

  /** `?last_seq=` or `?<idParam>=`: what was stored after it, at most replayMax, then replay_complete. */
  private replay<T extends { id: string }>(
    connection: Connection,
    url: URL,
    stored: T[],
    idParam: string,
    frameOf: (item: T) => ServerFrame,
  ): void {
    const lastSeq = this.numbered ? url.searchParams.get('last_seq') : null;
    const lastId = url.searchParams.get(idParam);
    let from: number;
    if (lastSeq !== null) {
      from = Number(lastSeq);
      if (!Number.isSafeInteger(from) || from < 0) {
        return this.send(connection, { type: 'error', code: 'validation_failed', message: 'last_seq must be ≥ 0' });
      }
    } else if (lastId) {
      from = stored.findIndex((item) => item.id === lastId) + 1;
      if (from === 0) return this.send(connection, { type: 'error', code: 'not_found', message: `unknown ${idParam}` });
    } else {
      return;
    }
    const missed = stored.slice(from);
    const sent = missed.slice(0, this.replayMax);
    for (const item of sent) this.send(connection, frameOf(item));
    this.send(connection, {
      type: 'replay_complete',
      count: sent.length,
      ...(this.numbered ? { has_more: missed.length > sent.length } : {}),
    });
  }

  private handleClose(connection: Connection): void {
    this.connections.delete(connection);
    const { user } = connection;
    if (![...this.connections].some((c) => c.user.id === user.id)) {
      for (const contact of this.contactsOf(user.id)) {
        this.toUser(contact, 'presence', {
          type: 'user_offline',
          user_id: user.id,
          last_seen: new Date().toISOString(),
        });
      }
    }
  }

  // ---- protocol -----------------------------------------------------------------------

  private handleFrame(connection: Connection, text: string): void {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(text) as ClientFrame;
    } catch {
      return this.send(connection, { type: 'error', code: 'invalid_json', message: 'invalid JSON' });
    }
    this.received.push({ userId: connection.user.id, endpoint: connection.endpoint, frame });
    const { user, consultationId } = connection;
    switch (frame.type) {
      case 'ping':
        return this.send(connection, { type: 'pong' });
      case 'chat_message': {
        const content = typeof frame.message === 'string' ? frame.message.trim() : '';
        if (!content) {
          return this.send(connection, {
            type: 'error',
            code: 'validation_failed',
            message: 'message must not be empty',
            ref: frame.client_id,
          });
        }
        const all = this.messages.get(consultationId!)!;
        const existing = frame.client_id
          ? all.find((m) => m.sender_id === user.id && m.client_id === frame.client_id)
          : undefined;
        if (existing) return this.send(connection, { type: 'chat_message', data: existing });
        const data: ChatMessageData = {
          id: this.nextId(),
          sender_id: user.id,
          sender_name: user.name,
          content,
          created_at: new Date().toISOString(),
          message_type: 'text',
          ...(frame.client_id ? { client_id: frame.client_id } : {}),
          ...this.position(all.length + 1),
        };
        all.push(data);
        for (const c of this.connections) {
          if (c.endpoint !== 'chat' || c.consultationId !== consultationId) continue;
          if (this.dropEchoToSender && c.user.id === user.id) continue;
          if (this.withholdLive(data)) continue;
          this.send(c, { type: 'chat_message', data });
        }
        const other = this.otherParticipant(consultationId!, user.id);
        const otherIsInChat = [...this.connections].some(
          (c) => c.endpoint === 'chat' && c.user.id === other && c.consultationId === consultationId,
        );
        if (!otherIsInChat) {
          const recipient = [...this.users.values()].find((u) => u.id === other);
          if (recipient) this.notify(recipient, `New message from ${user.name}`, 'chat_message');
        }
        return;
      }
      case 'typing': {
        const other = this.otherParticipant(consultationId!, user.id);
        for (const c of this.connections) {
          if (c.endpoint === 'chat' && c.consultationId === consultationId && c.user.id === other) {
            this.send(c, {
              type: 'typing_indicator',
              user_id: user.id,
              user_name: user.name,
              is_typing: frame.is_typing,
            });
          }
        }
        return;
      }
      case 'read_receipt': {
        const read_at = new Date().toISOString();
        const message = this.messages.get(consultationId!)!.find((m) => m.id === frame.message_id);
        for (const c of this.connections) {
          if (c.endpoint === 'chat' && c.consultationId === consultationId && c !== connection) {
            this.send(c, {
              type: 'read_receipt',
              message_id: frame.message_id,
              user_id: user.id,
              read_at,
              ...(message?.seq ? { seq: message.seq } : {}),
            });
          }
        }
        return;
      }
      case 'auth': {
        const renewed = this.users.get(typeof frame.token === 'string' ? frame.token : '');
        if (!renewed || renewed.id !== user.id) {
          return this.send(connection, { type: 'error', code: 'unauthorized', message: 'token refused' });
        }
        const exp = decodeJwtClaims(frame.token)?.exp;
        const expires = typeof exp === 'number' ? exp * 1000 : Date.now() + 3600_000;
        return this.send(connection, { type: 'auth_ok', expires_at: new Date(expires).toISOString() });
      }
      case 'mark_read': {
        const n = this.listOf(user.id).find((item) => item.id === frame.notification_id);
        if (!n) return this.send(connection, { type: 'error', code: 'not_found', message: 'not found' });
        n.is_read = true;
        return this.sendUnreadCount(user.id);
      }
      case 'mark_all_read':
        for (const n of this.listOf(user.id)) n.is_read = true;
        return this.sendUnreadCount(user.id);
      // The stub has no availability endpoint: its frames are as unknown here as a made-up one.
      case 'list_available':
      case 'set_availability':
      default:
        return this.send(connection, { type: 'error', code: 'unknown_type', message: 'unknown type' });
    }
  }

  private send(connection: Connection, frame: ServerFrame): void {
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(JSON.stringify(frame));
  }

  private toConsultation(consultationId: string, frame: ServerFrame): void {
    for (const c of this.connections)
      if (c.endpoint === 'chat' && c.consultationId === consultationId) this.send(c, frame);
  }

  /** `{seq}` when numbering, else nothing (an item of a server from before positions). */
  private position(seq: number): { seq?: number } {
    return this.numbered ? { seq } : {};
  }

  private toUser(userId: string, endpoint: Connection['endpoint'], frame: ServerFrame): void {
    for (const c of this.connections) if (c.user.id === userId && c.endpoint === endpoint) this.send(c, frame);
  }

  private sendUnreadCount(userId: string): void {
    this.toUser(userId, 'notifications', { type: 'unread_count', count: this.unread(userId) });
  }

  private unread(userId: string): number {
    return this.listOf(userId).filter((n) => !n.is_read).length;
  }

  private listOf(userId: string): NotificationData[] {
    let list = this.notifications.get(userId);
    if (!list) {
      list = [];
      this.notifications.set(userId, list);
    }
    return list;
  }

  private contactsOf(userId: string): string[] {
    const contacts = new Set<string>();
    for (const { participants } of this.consultations.values()) {
      if (participants.includes(userId)) for (const p of participants) if (p !== userId) contacts.add(p);
    }
    return [...contacts];
  }

  private otherParticipant(consultationId: string, userId: string): string {
    const [a, b] = this.consultations.get(consultationId)!.participants;
    return a === userId ? b : a;
  }

  /** Time-ordered ids, like the real server's UUIDv7. */
  private nextId(): string {
    const n = (++this.sequence).toString(16).padStart(12, '0');
    return `00000000-0000-7000-8000-${n}`;
  }
}
