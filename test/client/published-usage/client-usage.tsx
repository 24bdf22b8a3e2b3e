// The "Using the WebSocket Client" example of docs/websocket-api.md, verbatim between
// the markers. Compiled by published-usage.e2e-spec.ts with `@/lib/websocket` mapped to
// libs/client (tsconfig.json here), then run against a server.
declare const consultationId: string;
declare const token: string;

// ---- verbatim from the published document ----
import { createChatWebSocket } from '@/lib/websocket';

const ws = createChatWebSocket(consultationId, token);

ws.onConnect(() => {
  console.log('Connected to chat');
});

ws.on('chat_message', (data) => {
  console.log('New message:', data);
});

ws.send('chat_message', { message: 'Hello!' });
// ---- end of the published example ----

export { ws };
