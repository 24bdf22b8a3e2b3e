import { useEffect, useMemo, useRef, useState } from 'react';
// The hook under the import path of the published document (mapped in vite.config.mts).
import { useChatWebSocket } from '@/hooks/use-chat-websocket';
import type { Consultation, User } from './api';
import { LiveSessionPanel } from './LiveSessionPanel';

interface Props {
  consultation: Consultation;
  me: User;
  otherId: string;
  otherName: string;
  otherOnline: boolean;
  /** The wallet's balance may have moved (a minute charged). */
  onWalletChanged: () => void;
  onTopUp: () => void;
}

/** One consultation's chat: history + live messages, typing indicator, read receipts. */
export function ChatPanel({ consultation, me, otherId, otherName, otherOnline, onWalletChanged, onTopUp }: Props) {
  const { isConnected, state, messages, sendMessage, sendTyping, typingUsers, markRead, readReceipts, error, client } =
    useChatWebSocket(consultation.id);
  const [draft, setDraft] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const readOnly = consultation.status === 'completed' || consultation.status === 'cancelled';

  // Reading the chat marks what is shown as read (the other side sees ✓✓).
  const newestFromOther = [...messages].reverse().find((m) => m.sender_id !== me.id);
  useEffect(() => {
    if (newestFromOther && isConnected && document.visibilityState !== 'hidden') markRead(newestFromOther.id);
  }, [newestFromOther, isConnected, markRead]);

  useEffect(() => {
    listRef.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [messages.length]);

  // Everything up to the other participant's read marker counts as read.
  const readUpTo = useMemo(() => {
    const marker = readReceipts[otherId]?.message_id;
    return marker ? messages.findIndex((m) => m.id === marker) : -1;
  }, [readReceipts, otherId, messages]);

  const displayName = messages.find((m) => m.sender_id === otherId)?.sender_name ?? otherName;

  return (
    <section className="chat">
      <header className="chat-head">
        <span className={otherOnline ? 'dot online' : 'dot offline'} />
        <strong data-testid="chat-with">{displayName}</strong>
        <span className="muted small">{otherOnline ? 'online' : 'offline'}</span>
        <span className="spacer" />
        <span className={`state state-${state}`} data-testid="chat-state">
          {isConnected ? 'connected' : state}
        </span>
      </header>
      {consultation.status === 'active' && (
        // The session's frames come on this chat's socket: the panel reads them from it.
        <LiveSessionPanel
          consultationId={consultation.id}
          chat={client}
          role={me.role}
          onCharged={onWalletChanged}
          onTopUp={onTopUp}
        />
      )}
      {error && (
        <p className="error" data-testid="chat-error">
          {error instanceof Error ? error.message : `${error.code}: ${error.message}`}
        </p>
      )}
      <ol className="messages" ref={listRef}>
        {messages.map((m, index) => {
          // What the consultation itself says (booked, started, …) is no one's bubble: a centred line.
          if (m.message_type === 'system') {
            return (
              <li key={m.id} className="message system" data-testid="message" data-kind="system">
                <span className="content" data-testid="message-content">
                  {m.content}
                </span>
              </li>
            );
          }
          const mine = m.sender_id === me.id;
          return (
            <li key={m.id} className={mine ? 'message mine' : 'message theirs'} data-testid="message">
              {!mine && <span className="sender">{m.sender_name}</span>}
              <span className="content" data-testid="message-content">
                {m.content}
              </span>
              <span className="meta">
                {new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
                {mine && (
                  <span className="receipt" data-testid="receipt" data-read={index <= readUpTo}>
                    {index <= readUpTo ? ' ✓✓ Read' : ' ✓ Sent'}
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
      <div className="typing" data-testid="typing-area">
        {typingUsers.length > 0 && (
          <span data-testid="typing-indicator">{typingUsers.map((u) => u.user_name).join(', ')} is typing…</span>
        )}
      </div>
      <form
        className="composer"
        onSubmit={(event) => {
          event.preventDefault();
          if (sendMessage(draft)) setDraft('');
        }}
      >
        <input
          data-testid="composer"
          placeholder={readOnly ? 'This consultation is closed' : 'Write a message'}
          value={draft}
          disabled={readOnly}
          maxLength={4000}
          onChange={(event) => {
            setDraft(event.target.value);
            sendTyping(event.target.value.trim().length > 0);
          }}
          onBlur={() => sendTyping(false)}
        />
        <button type="submit" data-testid="send" disabled={readOnly || !draft.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
