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

describe('useChatWebSocket ↔ protocol stub: positions', () => {
  const contents = (hook: { result: { current: { messages: Array<{ content: string }> } } }) =>
    hook.result.current.messages.map((m) => m.content);

  it('keeps its resume point across reconnects: last_seq, then what was missed once, in seq order', async () => {
    stub.storeMessage(consultationId, bob, 'history 1');
    stub.storeMessage(consultationId, bob, 'history 2');
    const chat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor(ann) });
    await waitFor(() => expect(chat.result.current.historyLoaded).toBe(true));
    stub.storeMessage(consultationId, bob, 'live 3');
    await waitFor(() => expect(contents(chat)).toEqual(['history 1', 'history 2', 'live 3']));

    // The server goes away (sockets dropped, nothing listening) while Bob's messages are stored.
    await stub.stop();
    for (const text of ['away 4', 'away 5']) stub.storeMessage(consultationId, bob, text);
    await stub.restart();
    await waitFor(() => expect(contents(chat)).toEqual(['history 1', 'history 2', 'live 3', 'away 4', 'away 5']));
    expect(stub.upgrades[1].searchParams.get('last_seq')).toBe('3');
    expect(chat.result.current.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('pages a has_more replay through REST and shows everything once, in order', async () => {
    stub.replayMax = 10;
    const chat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor(ann) });
    await waitFor(() => expect(chat.result.current.historyLoaded).toBe(true));
    stub.storeMessage(consultationId, bob, 'm1');
    await waitFor(() => expect(chat.result.current.messages).toHaveLength(1));
    await stub.stop();
    for (let i = 2; i <= 160; i++) stub.storeMessage(consultationId, bob, `m${i}`);
    await stub.restart();
    await waitFor(() => expect(chat.result.current.messages).toHaveLength(160));
    expect(contents(chat)).toEqual(Array.from({ length: 160 }, (_, i) => `m${i + 1}`));
    expect(stub.restRequests.some((url) => url.searchParams.get('after_seq') === '11')).toBe(true);
  });

  it('shows out-of-order and duplicated frames in seq order, once', async () => {
    const chat = renderHook(() => useChatWebSocket(consultationId), { wrapper: wrapperFor(ann) });
    await waitFor(() => expect(chat.result.current.historyLoaded).toBe(true));
    stub.storeMessage(consultationId, bob, 'one');
    await waitFor(() => expect(chat.result.current.messages).toHaveLength(1));
    stub.withholdLive = () => true;
    const later = ['two', 'three', 'four'].map((text) => stub.storeMessage(consultationId, bob, text));
    stub.withholdLive = () => false;
    for (const data of [later[2], later[0], later[2], later[1], later[0]]) {
      stub.sendRaw(ann.id, 'chat', { type: 'chat_message', data });
    }
    await waitFor(() => expect(contents(chat)).toEqual(['one', 'two', 'three', 'four']));
  });
});

describe('NumerAIProvider ↔ protocol stub: token renewal', () => {
  it('renews the token before it expires, once for all sockets, and hands it to them in-band', async () => {
    const first = stub.issueToken(ann, 2);
    const getToken = jest.fn(() => Promise.resolve(stub.issueToken(ann, 3600)));
    const wrapper = ({ children }: { children?: ReactNode }) =>
      createElement(
        NumerAIProvider,
        { baseUrl: stub.httpUrl, token: first, getToken, WebSocket, fetch: nodeFetch },
        children,
      );
    const hooks = renderHook(() => ({ chat: useChatWebSocket(consultationId), bell: useNotifications() }), {
      wrapper,
    });
    await waitFor(() => expect(hooks.result.current.chat.isConnected).toBe(true));
    await waitFor(() => expect(hooks.result.current.bell.isConnected).toBe(true));
    await waitFor(
      () =>
        expect(
          stub.received
            .filter((r) => r.frame.type === 'auth')
            .map((r) => r.endpoint)
            .sort(),
        ).toEqual(['chat', 'notifications']),
      { timeout: 5000 },
    );
    expect(getToken).toHaveBeenCalledTimes(1);
    const renewed = await getToken.mock.results[0].value;
    expect(stub.received.filter((r) => r.frame.type === 'auth').map((r) => r.frame)).toEqual([
      { type: 'auth', token: renewed },
      { type: 'auth', token: renewed },
    ]);
    expect(stub.upgrades).toHaveLength(2); // nobody reconnected
  });
});

describe('NumerAIProvider ↔ protocol stub: one getToken for everyone', () => {
  it('sockets refused with 4401 at once share one getToken() call', async () => {
    let release: (token: string) => void = () => undefined;
    const getToken = jest.fn(() => new Promise<string>((resolve) => (release = resolve)));
    const wrapper = ({ children }: { children?: ReactNode }) =>
      createElement(
        NumerAIProvider,
        {
          baseUrl: stub.httpUrl,
          token: 'revoked-token',
          getToken,
          WebSocket,
          fetch: nodeFetch,
          clientOptions: { initialDelayMs: 50 },
        },
        children,
      );
    // Hooks that touch REST only once connected, so that the 4401s are the only refusals.
    const hooks = renderHook(() => ({ list: useNotifications(), bell: useNotifications(), dots: usePresence() }), {
      wrapper,
    });
    // All three refused (each waiting for getToken) before the token comes.
    await waitFor(() =>
      expect([
        hooks.result.current.list.state,
        hooks.result.current.bell.state,
        hooks.result.current.dots.state,
      ]).toEqual(['reconnecting', 'reconnecting', 'reconnecting']),
    );
    expect(stub.upgrades).toHaveLength(3);
    act(() => release(ann.token));
    await waitFor(() => expect(hooks.result.current.list.isConnected).toBe(true));
    await waitFor(() => expect(hooks.result.current.bell.isConnected).toBe(true));
    await waitFor(() => expect(hooks.result.current.dots.isConnected).toBe(true));
    expect(getToken).toHaveBeenCalledTimes(1);
  });
});

describe('useNotifications ↔ protocol stub', () => {
  it('resumes with last_seq after a drop: the missed notifications once, newest first', async () => {
    const hook = renderHook(() => useNotifications(), { wrapper: wrapperFor(ann) });
    await waitFor(() => expect(hook.result.current.isConnected).toBe(true));
    stub.notify(ann, 'before');
    await waitFor(() => expect(hook.result.current.notifications).toHaveLength(1));
    await stub.stop();
    stub.notify(ann, 'away 1');
    stub.notify(ann, 'away 2');
    await stub.restart();
    await waitFor(() =>
      expect(hook.result.current.notifications.map((n) => n.title)).toEqual(['away 2', 'away 1', 'before']),
    );
    expect(stub.upgrades[1].searchParams.get('last_seq')).toBe('1');
  });

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
