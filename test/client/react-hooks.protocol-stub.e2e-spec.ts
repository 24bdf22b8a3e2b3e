/**
 * The React hooks under React Testing Library, over real sockets against the PROTOCOL STUB
 * (test/client/support/protocol-stub.ts), not the NumerAI server. The same against the real
 * server: react-hooks.e2e-spec.ts.
 */
import './support/dom';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import WebSocket from 'ws';
import { NumerAIProvider, useChatWebSocket, useNotifications, usePresence } from '../../libs/react/src';
import { nodeFetch } from './support/node-fetch';
import { ProtocolStub, StubUser } from './support/protocol-stub';

let stub: ProtocolStub;
let ann: StubUser;
let bob: StubUser;
let consultationId: string;

function wrapperFor(user: StubUser | { token?: string; getToken?: () => Promise<string> }) {
  return function Wrapper({ children }: { children?: ReactNode }) {
    return createElement(
      NumerAIProvider,
      {
        baseUrl: stub.httpUrl,
        token: 'token' in user ? user.token : undefined,
        getToken: 'getToken' in user ? user.getToken : undefined,
        WebSocket,
        fetch: nodeFetch,
        clientOptions: { initialDelayMs: 50 },
      },
      children,
    );
  };
}

beforeEach(async () => {
  stub = await ProtocolStub.start();
  ann = stub.addUser('Ann Client');
  bob = stub.addUser('Bob Numerologist');
  consultationId = stub.addConsultation(ann, bob);
});

afterEach(async () => {
  cleanup();
  await stub.close();
});

describe('useChatWebSocket ↔ protocol stub', () => {
  it('loads history, merges live messages without duplicates, shows typing and read receipts', async () => {
    // Two messages stored before anyone connects: they come from REST, not the socket.
    const history = stub.messages.get(consultationId)!;
    history.push(
      {
        id: '00000000-0000-7000-8000-00000000000a',
        sender_id: bob.id,
        sender_name: bob.name,
        content: 'first',
        created_at: '2024-01-15T10:00:00.000Z',
        message_type: 'text',
      },
      {
        id: '00000000-0000-7000-8000-00000000000b',
        sender_id: ann.id,
        sender_name: ann.name,
        content: 'second',
        created_at: '2024-01-15T10:01:00.000Z',
        message_type: 'text',
      },
    );
    const annChat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor(ann) });
    const bobChat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor(bob) });
    await waitFor(() => expect(annChat.result.current.isConnected).toBe(true));
    await waitFor(() => expect(bobChat.result.current.isConnected).toBe(true));
    await waitFor(() => expect(annChat.result.current.historyLoaded).toBe(true));
    expect(annChat.result.current.messages.map((m) => m.content)).toEqual(['first', 'second']);

    act(() => annChat.result.current.sendTyping(true));
    await waitFor(() => expect(bobChat.result.current.typingUsers).toEqual([{ user_id: ann.id, user_name: ann.name }]));

    act(() => {
      annChat.result.current.sendMessage('  Hello!  ');
    });
    await waitFor(() =>
      expect(bobChat.result.current.messages.map((m) => m.content)).toEqual(['first', 'second', 'Hello!']),
    );
    expect(bobChat.result.current.typingUsers).toEqual([]); // sending stops typing
    await waitFor(() => expect(annChat.result.current.messages).toHaveLength(3));
    expect(new Set(annChat.result.current.messages.map((m) => m.id)).size).toBe(3);

    act(() => bobChat.result.current.markRead());
    const newest = bobChat.result.current.messages[2].id;
    await waitFor(() => expect(annChat.result.current.readReceipts[bob.id]?.message_id).toBe(newest));
    expect(annChat.result.current.sendMessage('   ')).toBeNull();
  });

  it('closes the socket on unmount', async () => {
    const chat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor(ann) });
    await waitFor(() => expect(chat.result.current.isConnected).toBe(true));
    expect(stub.chatConnections(ann.id)).toBe(1);
    chat.unmount();
    await waitFor(() => expect(stub.chatConnections(ann.id)).toBe(0));
  });

  it('works with a provider that only has getToken', async () => {
    const getToken = jest.fn(() => Promise.resolve(ann.token));
    const chat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor({ getToken }) });
    await waitFor(() => expect(chat.result.current.isConnected).toBe(true));
    expect(getToken).toHaveBeenCalled();
  });

  it('reports a refusal (not a participant) and stays closed', async () => {
    const eve = stub.addUser('Eve');
    const chat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor(eve) });
    await waitFor(() => expect(chat.result.current.state).toBe('closed'));
    expect(chat.result.current.error).toBeTruthy();
    expect(chat.result.current.isConnected).toBe(false);
  });
});

describe('useNotifications ↔ protocol stub', () => {
  it('counts unread notifications live and marks them read', async () => {
    const older = stub.notify(ann, 'Welcome');
    const hook = renderHook(() => useNotifications(), { wrapper: wrapperFor(ann) });
    await waitFor(() => expect(hook.result.current.unreadCount).toBe(1));
    await waitFor(() => expect(hook.result.current.notifications.map((n) => n.id)).toEqual([older.id]));
    const fresh = stub.notify(ann, 'Daily Reading Ready', 'daily_reading');
    await waitFor(() => expect(hook.result.current.unreadCount).toBe(2));
    expect(hook.result.current.notifications[0]).toMatchObject({ id: fresh.id, title: 'Daily Reading Ready' });
    act(() => hook.result.current.markRead(fresh.id));
    await waitFor(() => expect(hook.result.current.unreadCount).toBe(1));
    expect(hook.result.current.notifications[0].is_read).toBe(true);
    act(() => hook.result.current.markAllRead());
    await waitFor(() => expect(stub.notifications.get(ann.id)!.every((n) => n.is_read)).toBe(true));
    expect(hook.result.current.unreadCount).toBe(0);
  });
});

describe('usePresence ↔ protocol stub', () => {
  it('lists contacts online and drops them when they leave', async () => {
    const bobs = renderHook(() => usePresence(), { wrapper: wrapperFor(bob) });
    await waitFor(() => expect(bobs.result.current.isConnected).toBe(true));
    const anns = renderHook(() => usePresence(), { wrapper: wrapperFor(ann) });
    await waitFor(() => expect(anns.result.current.onlineUserIds).toEqual([bob.id]));
    await waitFor(() => expect(bobs.result.current.onlineUserIds).toEqual([ann.id]));
    expect(bobs.result.current.isOnline(ann.id)).toBe(true);
    anns.unmount();
    await waitFor(() => expect(bobs.result.current.onlineUserIds).toEqual([]));
    expect(bobs.result.current.users[ann.id]).toMatchObject({ online: false, last_seen: expect.any(String) });
  });
});
