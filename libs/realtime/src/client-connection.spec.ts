import type { ServerFrame } from '@numerai/protocol';
import { ClientConnection, SocketWithConnection } from './client-connection';

function open() {
  const sent: string[] = [];
  const socket = {
    readyState: 1,
    bufferedAmount: 0,
    send: (payload: Buffer) => sent.push(payload.toString()),
    terminate: () => undefined,
  } as unknown as SocketWithConnection;
  const user = { id: 'u', name: 'U', role: 'user' as const, exp: 2e9, sid: 's' };
  return { connection: new ClientConnection('c', socket, 'chat', user, 'room', undefined, Date.now()), sent };
}

const message = (id: string): ServerFrame => ({
  type: 'chat_message',
  data: { id, sender_id: 's', sender_name: 'S', content: id, created_at: '', message_type: 'text' },
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
});
