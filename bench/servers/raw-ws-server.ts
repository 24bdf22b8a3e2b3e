/**
 * Baseline 1 — raw `ws`: the same chat fan-out as NumerAI's /ws/chat/{consultation_id}/ with no
 * auth, no storage and no framework: the limit Node allows. Rooms are keyed by the consultation
 * id in the URL; a chat_message goes to every connection in the room, the sender's included,
 * with the frame shapes of protocol.md. Run by bench/run.ts (PORT from the environment).
 */
import { createServer } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { BenchUser, chatFrame, exitOnSignals, listenPort, MAX_MESSAGE_CHARS, unverifiedClaims } from './common';

interface Client {
  user: BenchUser;
  room: Set<WebSocket>;
}

const CHAT_PATH = /^\/ws\/chat\/([^/?]+)\/?(?:\?(.*))?$/;
const rooms = new Map<string, Set<WebSocket>>();
const clients = new WeakMap<WebSocket, Client>();

const http = createServer((_req, res) => {
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404}');
});
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, clientTracking: false });

http.on('upgrade', (req, socket, head) => {
  const match = CHAT_PATH.exec(req.url ?? '');
  if (!match) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return;
  }
  const consultationId = decodeURIComponent(match[1]);
  const token = new URLSearchParams(match[2] ?? '').get('token');
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, consultationId, unverifiedClaims(token)));
});

function onConnection(ws: WebSocket, consultationId: string, user: BenchUser): void {
  let room = rooms.get(consultationId);
  if (!room) {
    room = new Set();
    rooms.set(consultationId, room);
  }
  room.add(ws);
  clients.set(ws, { user, room });
  ws.send(
    JSON.stringify({ type: 'connection_established', message: 'Connected to chat', consultation_id: consultationId }),
  );

  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let frame: { type?: unknown; message?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      ws.send('{"type":"error","code":"invalid_json","message":"Frames must be JSON"}');
      return;
    }
    if (frame.type === 'chat_message' && typeof frame.message === 'string') {
      const content = frame.message.trim();
      if (!content || content.length > MAX_MESSAGE_CHARS) return;
      // Serialised once, sent as the same buffer to every connection in the room.
      const out = Buffer.from(JSON.stringify(chatFrame(user, content)));
      for (const peer of room) if (peer.readyState === WebSocket.OPEN) peer.send(out, { binary: false });
    } else if (frame.type === 'ping') {
      ws.send('{"type":"pong"}');
    }
  });
  ws.on('close', () => {
    room.delete(ws);
    if (room.size === 0 && rooms.get(consultationId) === room) rooms.delete(consultationId);
  });
  ws.on('error', () => ws.terminate());
}

http.listen(listenPort(), '127.0.0.1', () => process.stdout.write(`raw-ws listening on ${listenPort()}\n`));
exitOnSignals(() => {
  wss.close();
  http.close();
});
