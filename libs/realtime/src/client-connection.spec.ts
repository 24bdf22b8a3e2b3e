import type { ServerFrame } from '@numerai/protocol';
import { ClientConnection, SocketWithConnection } from './client-connection';

function open(bufferedAmount = 0) {
  const sent: string[] = [];
  const socket: { readyState: number } & Record<string, unknown> = {
    readyState: 1,
    bufferedAmount,
    send: (payload: Buffer, _options?: object, written?: () => void) => {
      sent.push(payload.toString());
      if (written) setImmediate(written);
    },
    terminate: () => {
      socket.readyState = 3;
    },
    once: () => undefined,
    off: () => undefined,
  };
  const user = { id: 'u', name: 'U', role: 'user' as const, exp: 2e9, sid: 's' };
  return {
    connection: new ClientConnection(
      'c',
      socket as unknown as SocketWithConnection,
      'chat',
      user,
      'room',
      undefined,
      Date.now(),
    ),
    sent,
  };
}

const message = (id: string, content = id): ServerFrame => ({
  type: 'chat_message',
  data: { id, sender_id: 's', sender_name: 'S', content, created_at: '', message_type: 'text' },
});
const deliver = (connection: ClientConnection, frame: ServerFrame) =>
  connection.deliver(frame, Buffer.from(JSON.stringify(frame)));
const ids = (sent: string[]) => sent.map((raw) => JSON.parse(raw).data.id);

describe('ClientConnection hold/release', () => {
  it('keeps live frames back while holding and sends them in order on release', () => {
    const { connection, sent } = open();
    connection.hold();
    deliver(connection, message('a'));
    deliver(connection, message('b'));
    expect(sent).toEqual([]);
    connection.release();
    deliver(connection, message('c'));
    expect(ids(sent)).toEqual(['a', 'b', 'c']);
  });

  it('drops what the replay covered, held or arriving late, and nothing else', () => {
    const { connection, sent } = open();
    const replayed = new Set(['a', 'b']);
    connection.hold();
    deliver(connection, message('a'));
    deliver(connection, message('x'));
    connection.release((frame) => frame.type === 'chat_message' && replayed.has(frame.data.id));
    deliver(connection, message('b')); // its announcement was published after the replay read it
    deliver(connection, message('y'));
    expect(ids(sent)).toEqual(['x', 'y']);
  });

  it('stops filtering once the linger time has passed', () => {
    jest.useFakeTimers({ now: 1_000 });
    try {
      const { connection, sent } = open();
      connection.hold();
      connection.release((frame) => frame.type === 'chat_message' && frame.data.id === 'a', 100);
      jest.setSystemTime(1_200);
      deliver(connection, message('a'));
      expect(ids(sent)).toEqual(['a']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('after a replay releases what was held in drained slices: a big backlog never counts as a slow consumer', async () => {
    // A socket whose buffer looks full: any ordinary send would cut it off.
    const { connection, sent } = open(10 * 1024 * 1024);
    connection.hold();
    const big = 'x'.repeat(10_000);
    for (let i = 0; i < 100; i++) deliver(connection, message(`m${i}`, big));
    const releasing = connection.releaseDrained((frame) => frame.type === 'chat_message' && frame.data.id === 'm0');
    deliver(connection, message('late')); // arrives while the backlog drains: queued behind it
    await releasing;
    expect(connection.isOpen).toBe(true);
    expect(ids(sent)).toEqual([...Array.from({ length: 99 }, (_, i) => `m${i + 1}`), 'late']);
  });
});
