/**
 * Baseline 2 — Socket.IO, what users would pick instead: the same chat semantics (one room per
 * consultation, every connection of the room gets each chat_message, the sender's included,
 * the frame shapes of protocol.md carried as Socket.IO `message` events). The JWT is verified in
 * the handshake with `jsonwebtoken` (HS256, same secret as NumerAI) so the connect storm is fair.
 * No storage. Run by bench/run.ts (PORT and JWT_SECRET from the environment). The cluster benchmark
 * runs the same server with the Redis adapter and optional storage (see socketio-cluster.ts).
 */
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';
import { Server, Socket } from 'socket.io';
import { BenchUser, chatFrame, exitOnSignals, listenPort, MAX_MESSAGE_CHARS } from './common';
import { attachCluster } from './socketio-cluster';

const secret = process.env.JWT_SECRET;
if (!secret) throw new Error('JWT_SECRET must be set');

const http = createServer((_req, res) => {
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404}');
});
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  maxHttpBufferSize: 64 * 1024,
  perMessageDeflate: false,
});

interface SocketData {
  user: BenchUser;
  room: string;
}

io.use((socket: Socket, next) => {
  const token = (socket.handshake.auth as { token?: unknown }).token;
  const room = socket.handshake.query.consultation_id;
  if (typeof token !== 'string' || typeof room !== 'string' || !room) {
    next(new Error('unauthorized'));
    return;
  }
  try {
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as { sub?: unknown; name?: unknown };
    if (typeof claims.sub !== 'string') throw new Error('no sub');
    (socket.data as SocketData).user = {
      id: claims.sub,
      name: typeof claims.name === 'string' ? claims.name : 'Anonymous',
    };
    (socket.data as SocketData).room = room;
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});

async function main(): Promise<void> {
  const cluster = await attachCluster(io);
  io.on('connection', (socket: Socket) => {
    const { user, room } = socket.data as SocketData;
    void socket.join(room);
    socket.send({ type: 'connection_established', message: 'Connected to chat', consultation_id: room });
    socket.on('message', (frame: { type?: unknown; message?: unknown }) => {
      if (frame?.type === 'chat_message' && typeof frame.message === 'string') {
        const content = frame.message.trim();
        if (!content || content.length > MAX_MESSAGE_CHARS) return;
        const out = chatFrame(user, content);
        if (!cluster.store) io.to(room).emit('message', out);
        else
          cluster.store(room, out, user, content).then(
            () => io.to(room).emit('message', out),
            (error: unknown) => process.stderr.write(`store failed: ${String(error)}\n`),
          );
      } else if (frame?.type === 'ping') {
        socket.send({ type: 'pong' });
      }
    });
  });

  http.listen(listenPort(), '127.0.0.1', () => process.stdout.write(`socket.io listening on ${listenPort()}\n`));
  exitOnSignals(() => {
    void io.close();
    void cluster.close();
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`socket.io server failed: ${String(error)}\n`);
  process.exit(1);
});
