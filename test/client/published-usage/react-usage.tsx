// The "Using React Hooks" example of docs/websocket-api.md, verbatim between the
// markers. Compiled by published-usage.e2e-spec.ts with `@/hooks/use-chat-websocket` mapped
// to libs/react (tsconfig.json here), then rendered inside a NumerAIProvider.

/* eslint-disable @typescript-eslint/no-unused-vars -- the published example destructures sendTyping unused */
// ---- verbatim from the published document ----
import { useChatWebSocket } from '@/hooks/use-chat-websocket';

// prettier-ignore
function ChatComponent({ consultationId }) {
  const { isConnected, messages, sendMessage, sendTyping } = 
    useChatWebSocket(consultationId);

  return (
    <div>
      {isConnected ? 'Connected' : 'Disconnected'}
      {messages.map(msg => (
        <div key={msg.id}>{msg.content}</div>
      ))}
      <button onClick={() => sendMessage('Hello!')}>Send</button>
    </div>
  );
}
// ---- end of the published example ----

export { ChatComponent };
