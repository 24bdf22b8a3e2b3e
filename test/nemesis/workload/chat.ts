import type { LiveSocket } from './socket';
import { StreamReader } from './reader';
import { hash, Room, sleep, Workload } from './context';

type ChatData = { id: string; seq: number; content: string; client_id?: string };

/**
 * The client of one consultation chats: each message has a `client_id`; without an echo within
 * 4 s (instance paused, killed, partitioned) it reconnects — to any instance — and resends the
 * same `client_id`, up to 4 times. An echo is `ok` (with its seq), otherwise the outcome is `info`.
 */
export class ChatSender {
  readonly proc: string;
  socket: LiveSocket | undefined;
  base: string | undefined;
  private waiting: { clientId: string; resolve: (data: ChatData | undefined) => void } | undefined;

  constructor(
    private readonly w: Workload,
    private readonly room: Room,
  ) {
    this.proc = `send:${room.index}`;
  }

  async run(): Promise<void> {
    for (let n = 1; !this.w.stopping && n < 100_000; n++) {
      const clientId = `c${this.room.index}-${n}`;
      const text = `message ${n} of room ${this.room.index} (${this.w.random.int(0, 1e9)})`;
      const stream = `c:${this.room.id}`;
      this.w.history.add({ type: 'invoke', f: 'send', proc: this.proc, stream, client_id: clientId, hash: hash(text) });
      const data = await this.deliver(clientId, text);
      if (data) {
        this.w.history.add({
          type: 'ok',
          f: 'send',
          proc: this.proc,
          stream,
          client_id: clientId,
          seq: data.seq,
          id: data.id,
        });
      } else {
        this.w.history.add({ type: 'info', f: 'send', proc: this.proc, stream, client_id: clientId, err: 'no echo' });
      }
      await sleep(this.w.random.int(300, 1200));
    }
    await this.socket?.close();
  }

  private async deliver(clientId: string, text: string): Promise<ChatData | undefined> {
    for (let attempt = 0; attempt < 4; attempt++) {
      if (!this.socket?.open && !(await this.connect())) {
        await sleep(500);
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const echoed = new Promise<ChatData | undefined>((resolve) => {
        this.waiting = { clientId, resolve };
        timer = setTimeout(() => resolve(undefined), 4000);
        void this.socket!.closed.then(() => resolve(undefined));
      });
      this.socket!.send({ type: 'chat_message', message: text, client_id: clientId });
      const data = await echoed;
      clearTimeout(timer);
      this.waiting = undefined;
      if (data) return data;
      // No echo: this connection is suspect; drop it and resend elsewhere with the same client_id.
      this.socket?.terminate();
      this.socket = undefined;
    }
    return undefined;
  }

  private async connect(): Promise<boolean> {
    const opened = await this.w.open(this.proc, 'chat', `/ws/chat/${this.room.id}/`, this.room.client.token);
    if (!opened) return false;
    this.socket = opened.socket;
    this.base = opened.base;
    opened.socket.listen((frame) => {
      const data = frame.data as ChatData | undefined;
      if (frame.type === 'chat_message' && data && this.waiting && data.client_id === this.waiting.clientId) {
        this.waiting.resolve(data);
      }
    });
    return true;
  }
}

/** The numerologist reads the consultation from another instance than the writer's (see StreamReader). */
export function chatReader(w: Workload, room: Room, sender: ChatSender): StreamReader {
  const stream = `c:${room.id}`;
  return new StreamReader(w, {
    proc: `read:${room.index}`,
    f: 'chat',
    path: `/ws/chat/${room.id}/`,
    token: room.numerologist.token,
    stream,
    frameType: 'chat_message',
    text: (data) => String(data.content),
    avoid: () => sender.base,
    // Now and then the reader moves its read marker to the last message it holds without a gap.
    beforeLeaving: async (socket, at) => {
      if (!at || !w.random.chance(0.4)) return;
      w.history.add({ type: 'invoke', f: 'read_receipt', proc: `read:${room.index}`, stream, seq: at.seq, id: at.id });
      socket.send({ type: 'read_receipt', message_id: at.id });
      await sleep(100);
    },
  });
}
