/**
 * PROTOCOL STUB — not the NumerAI server.
 *
 * A few hundred lines of plain `ws` + `http` that speak the wire protocol of
 * docs/protocol.md closely enough to exercise the client SDK and the React hooks
 * while the real gateways (libs/realtime, libs/chat, …) are being written, and to stage
 * failures the real server will not produce on demand (lost acknowledgements, restarts on
 * the same port, refusals). Suites against the real server live in sdk.e2e-spec.ts and
 * test/browser/.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ChatMessageData, ClientFrame, NotificationData, ServerFrame } from '@numerai/protocol';

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
    const notification: NotificationData = {
      id: this.nextId(),
      title,
      message: `${title} (message)`,
      notification_type,
      is_read: false,
      created_at: new Date().toISOString(),
    };
    this.listOf(user.id).push(notification);
    this.toUser(user.id, 'notifications', { type: 'notification', data: notification });
    this.sendUnreadCount(user.id);
    return notification;
  }

  chatConnections(userId?: string): number {
    return [...this.connections].filter((c) => c.endpoint === 'chat' && (!userId || c.user.id === userId)).length;
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
      const before = url.searchParams.get('before');
      let all = [...(this.messages.get(history[1]) ?? [])].reverse();
      if (before) all = all.slice(all.findIndex((m) => m.id === before) + 1);
      const items = all.slice(0, limit);
      return json(200, { items, next_before: all.length > limit ? items[items.length - 1].id : null });
    }
    if (req.method === 'GET' && url.pathname === '/api/notifications') {
      const items = [...this.listOf(user.id)].reverse().slice(0, Number(url.searchParams.get('limit') ?? 50));
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
      const after = url.searchParams.get('last_message_id');
      if (after) {
        const all = this.messages.get(consultationId!)!;
        const index = all.findIndex((m) => m.id === after);
        if (index < 0) {
          this.send(connection, { type: 'error', code: 'not_found', message: 'unknown last_message_id' });
        } else {
          const missed = all.slice(index + 1);
          for (const data of missed) this.send(connection, { type: 'chat_message', data });
          this.send(connection, { type: 'replay_complete', count: missed.length });
        }
      }
    } else if (endpoint === 'notifications') {
      this.send(connection, { type: 'connection_established', message: 'Connected to notifications' });
      this.send(connection, { type: 'unread_count', count: this.unread(user.id) });
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
        };
        all.push(data);
        for (const c of this.connections) {
          if (c.endpoint !== 'chat' || c.consultationId !== consultationId) continue;
          if (this.dropEchoToSender && c.user.id === user.id) continue;
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
        for (const c of this.connections) {
          if (c.endpoint === 'chat' && c.consultationId === consultationId && c !== connection) {
            this.send(c, { type: 'read_receipt', message_id: frame.message_id, user_id: user.id, read_at });
          }
        }
        return;
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
      default:
        return this.send(connection, { type: 'error', code: 'unknown_type', message: 'unknown type' });
    }
  }

  private send(connection: Connection, frame: ServerFrame): void {
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(JSON.stringify(frame));
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
