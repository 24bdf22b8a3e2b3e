/**
 * The React hooks (libs/react) under React Testing Library against the real server
 * (test/support/server.ts), over real sockets and REST. Runs once the gateways are wired.
 * The protocol-stub twin is react-hooks.protocol-stub.e2e-spec.ts.
 */
import './support/dom';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import WebSocket from 'ws';
import { createChatWebSocket } from '../../libs/client/src';
import {
  NumerAIProvider,
  useAvailability,
  useChatWebSocket,
  useLiveSession,
  useNotifications,
  usePresence,
} from '../../libs/react/src';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { decodeClaims } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { connect } from '../support/ws-client';
import { signInAgain, startShortTokenServer } from './support/short-tokens';
import { describeWithGateways } from './support/gateways';
import { nodeFetch } from './support/node-fetch';

describeWithGateways('React hooks ↔ real server', () => {
  let server: TestServer;

  function wrapperFor(user: TestUser) {
    return function Wrapper({ children }: { children?: ReactNode }) {
      return createElement(
        NumerAIProvider,
        {
          baseUrl: server.httpUrl,
          token: user.token,
          WebSocket,
          fetch: nodeFetch,
          clientOptions: { initialDelayMs: 50 },
        },
        children,
      );
    };
  }

  beforeAll(async () => {
    server = await startTestServer({
      PRESENCE_GRACE_MS: '200',
      // Short minutes for useLiveSession; top-ups signed by the server (the demo's path).
      LIVE_SESSION_MINUTE_MS: '1000',
      LIVE_SESSION_TICK_MS: '100',
      DEMO_TOP_UPS: 'true',
      STRIPE_WEBHOOK_SECRET: 'whsec_react_hooks_suite_0123456789',
    });
  });

  afterEach(() => cleanup());

  afterAll(async () => {
    await server?.close();
  });

  it('useChatWebSocket: history from REST, live messages once each, typing and read receipts', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    // The chat opens with the booking's system message.
    const booked = `${client.name} booked this consultation`;
    const raw = await connect(`${server.wsUrl}/ws/chat/${consultation.id}/`, { token: numerologist.token });
    await raw.next('connection_established');
    for (const message of ['first', 'second']) {
      raw.send({ type: 'chat_message', message });
      await raw.next('chat_message');
    }
    await raw.close();

    const mine = renderHook(() => useChatWebSocket(consultation.id), { wrapper: wrapperFor(client) });
    const theirs = renderHook(() => useChatWebSocket(consultation.id), { wrapper: wrapperFor(numerologist) });
    await waitFor(() => expect(mine.result.current.historyLoaded).toBe(true));
    await waitFor(() => expect(theirs.result.current.isConnected).toBe(true));
    await waitFor(() => expect(mine.result.current.isConnected).toBe(true));
    expect(mine.result.current.messages.map((m) => m.content)).toEqual([booked, 'first', 'second']);
    expect(mine.result.current.messages[1]).toMatchObject({
      sender_id: numerologist.id,
      sender_name: numerologist.name,
    });

    act(() => mine.result.current.sendTyping(true));
    await waitFor(() =>
      expect(theirs.result.current.typingUsers).toEqual([{ user_id: client.id, user_name: client.name }]),
    );

    act(() => {
      mine.result.current.sendMessage('Hello!');
    });
    await waitFor(() =>
      expect(theirs.result.current.messages.map((m) => m.content)).toEqual([booked, 'first', 'second', 'Hello!']),
    );
    await waitFor(() =>
      expect(mine.result.current.messages.map((m) => m.content)).toEqual([booked, 'first', 'second', 'Hello!']),
    );
    await waitFor(() => expect(theirs.result.current.typingUsers).toEqual([]));

    act(() => theirs.result.current.markRead());
    const newest = theirs.result.current.messages[3].id;
    await waitFor(() => expect(mine.result.current.readReceipts[numerologist.id]?.message_id).toBe(newest));
  });

  it('useNotifications: a chat message while away raises the unread count; markAllRead clears it', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const bell = renderHook(() => useNotifications(), { wrapper: wrapperFor(numerologist) });
    await waitFor(() => expect(bell.result.current.isConnected).toBe(true));
    expect(bell.result.current.unreadCount).toBe(0);

    const sender = createChatWebSocket(consultation.id, client.token, { baseUrl: server.wsUrl, WebSocket });
    try {
      sender.send('chat_message', { message: 'are you there?' });
      await waitFor(() => expect(bell.result.current.unreadCount).toBe(1));
      await waitFor(() => expect(bell.result.current.notifications).toHaveLength(1));
      expect(bell.result.current.notifications[0]).toMatchObject({ notification_type: 'chat_message', is_read: false });
    } finally {
      sender.close();
    }

    act(() => bell.result.current.markAllRead());
    expect(bell.result.current.unreadCount).toBe(0);
    await waitFor(async () => {
      const res = await http(server.httpUrl, 'GET', '/api/notifications/unread-count', { token: numerologist.token });
      expect(res.body).toEqual({ count: 0 });
    });
  });

  it('useAvailability: the listing as it is, then live; a numerologist sets their own status through it', async () => {
    const numerologist = await createUser(server, { role: 'numerologist', name: 'Hooked' });
    const rate = await http(server.httpUrl, 'PUT', '/api/availability/rate', {
      token: numerologist.token,
      body: { rate_minor: 275 },
    });
    expect(rate.status).toBe(200);
    const viewer = renderHook(() => useAvailability(), { wrapper: wrapperFor(await createUser(server)) });
    const own = renderHook(() => useAvailability(), { wrapper: wrapperFor(numerologist) });
    await waitFor(() => expect(viewer.result.current.isConnected).toBe(true));
    await waitFor(() => expect(own.result.current.isConnected).toBe(true));
    expect(viewer.result.current.numerologists.map((n) => n.user_id)).not.toContain(numerologist.id);

    act(() => own.result.current.setStatus('available'));
    await waitFor(() =>
      expect(viewer.result.current.numerologists).toContainEqual({
        user_id: numerologist.id,
        full_name: 'Hooked',
        rate_minor: 275,
        currency: 'USD',
      }),
    );
    act(() => own.result.current.setStatus('offline'));
    await waitFor(() =>
      expect(viewer.result.current.numerologists.map((n) => n.user_id)).not.toContain(numerologist.id),
    );
  });

  it('useLiveSession: request, accept, the countdown, the low-balance warning and the end at zero, on both sides', async () => {
    const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
    const as = (user: TestUser, method: 'PUT' | 'POST', path: string, body: unknown) =>
      http(server.httpUrl, method, path, { token: user.token, body });
    expect((await as(numerologist, 'PUT', '/api/availability/rate', { rate_minor: 100 })).status).toBe(200);
    expect((await as(numerologist, 'PUT', '/api/availability', { status: 'available' })).status).toBe(200);
    // Three minutes of balance: the first is charged at once, so two are left — low already.
    expect((await as(client, 'POST', '/api/demo/top-up', { amount: 300 })).status).toBe(200);

    const mine = renderHook(() => useLiveSession(consultation.id), { wrapper: wrapperFor(client) });
    const theirs = renderHook(() => useLiveSession(consultation.id), { wrapper: wrapperFor(numerologist) });
    await waitFor(() => expect(theirs.result.current.error).toBeNull());
    expect(mine.result.current.session).toBeNull();
    await act(() => mine.result.current.request());
    await waitFor(() => expect(theirs.result.current.session?.status).toBe('requested'));
    await act(() => theirs.result.current.accept());
    await waitFor(() => expect(mine.result.current.session?.status).toBe('active'));
    expect(mine.result.current.secondsLeft).toBeGreaterThan(0);
    await waitFor(() => expect(mine.result.current.lowBalance).toMatchObject({ balance_minor: 100 }), {
      timeout: 5000,
    });
    await waitFor(() => expect(mine.result.current.session?.status).toBe('ended'), { timeout: 10_000 });
    expect(mine.result.current.session).toMatchObject({ end_reason: 'balance', minutes_charged: 3 });
    expect(mine.result.current.lowBalance).toBeNull();
    expect(mine.result.current.secondsLeft).toBe(0);
    await waitFor(() => expect(theirs.result.current.session?.status).toBe('ended'));
  });

  it('usePresence: a contact comes online, and goes offline after the grace period once unmounted', async () => {
    const { client, numerologist } = await createConsultation(server, { status: 'active' });
    const watcher = renderHook(() => usePresence(), { wrapper: wrapperFor(client) });
    await waitFor(() => expect(watcher.result.current.isConnected).toBe(true));
    expect(watcher.result.current.onlineUserIds).not.toContain(numerologist.id);
    const other = renderHook(() => usePresence(), { wrapper: wrapperFor(numerologist) });
    await waitFor(() => expect(watcher.result.current.onlineUserIds).toContain(numerologist.id));
    expect(watcher.result.current.isOnline(numerologist.id)).toBe(true);
    other.unmount(); // closes its socket
    await waitFor(() => expect(watcher.result.current.isOnline(numerologist.id)).toBe(false), { timeout: 5000 });
  });
});

describeWithGateways('React hooks ↔ real server: the provider renews the token in-band', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startShortTokenServer();
  });

  afterEach(() => cleanup());

  afterAll(async () => {
    await server?.close();
  });

  it('keeps chat and notifications on their first connections past the first token expiry', async () => {
    const { consultation, client } = await createConsultation(server);
    const login = signInAgain(server, client);
    const first = await login();
    const getToken = jest.fn(login);
    const opened: string[] = [];
    class Counting extends WebSocket {
      constructor(url: string) {
        super(url);
        opened.push(new URL(url).pathname);
      }
    }
    const wrapper = ({ children }: { children?: ReactNode }) =>
      createElement(
        NumerAIProvider,
        { baseUrl: server.httpUrl, token: first, getToken, WebSocket: Counting, fetch: nodeFetch },
        children,
      );
    const hooks = renderHook(() => ({ chat: useChatWebSocket(consultation.id), bell: useNotifications() }), {
      wrapper,
    });
    await waitFor(() => expect(hooks.result.current.chat.isConnected).toBe(true));
    await waitFor(() => expect(hooks.result.current.bell.isConnected).toBe(true));
    const firstExp = decodeClaims(first).exp as number;
    await waitFor(() => expect(Date.now()).toBeGreaterThan(firstExp * 1000 + 1000), { timeout: 10_000 });

    // Still the same two connections, and they still work: a message goes round.
    act(() => {
      hooks.result.current.chat.sendMessage('after the first expiry');
    });
    await waitFor(() =>
      expect(hooks.result.current.chat.messages.map((m) => m.content)).toContain('after the first expiry'),
    );
    expect(hooks.result.current.chat.state).toBe('open');
    expect(opened).toHaveLength(2);
    expect(getToken).toHaveBeenCalled();
  });
});
