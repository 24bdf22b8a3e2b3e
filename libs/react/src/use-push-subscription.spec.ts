/**
 * usePushSubscription under React Testing Library: the browser's Notification, PushManager and
 * service worker are fakes (Node has none); the SDK and the provider are real, and the push
 * REST API is a real loopback HTTP server (libs/client/src/push.test-support.ts).
 */
import '../../../test/client/support/dom';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { fakeRegistration, startPushApiStub, type PushApiStub } from '../../client/src/push.test-support';
import { NumerAIProvider } from './provider';
import { usePushSubscription } from './use-push-subscription';

const TOKEN = 'the-access-token';
const globals = globalThis as Record<string, unknown>;

/** The browser's Notification permission, answering what the user would click. */
function fakeNotification(answer: NotificationPermission) {
  const fake = {
    permission: 'default' as NotificationPermission,
    requestPermission: jest.fn(() => {
      fake.permission = answer;
      return Promise.resolve(answer);
    }),
  };
  globals.Notification = fake;
  return fake;
}

describe('usePushSubscription', () => {
  let api: PushApiStub;

  function wrapper({ children }: { children?: ReactNode }) {
    return createElement(NumerAIProvider, { baseUrl: api.url, token: TOKEN }, children);
  }

  beforeEach(async () => {
    api = await startPushApiStub(TOKEN);
    globals.PushManager = class {};
    Object.defineProperty(navigator, 'serviceWorker', { value: {}, configurable: true });
  });

  afterEach(async () => {
    cleanup();
    delete globals.Notification;
    delete globals.PushManager;
    delete (navigator as unknown as Record<string, unknown>).serviceWorker;
    await api.close();
  });

  it('asks nothing on mount; subscribe() asks once, then subscribes and registers with the server', async () => {
    const notification = fakeNotification('granted');
    const registration = fakeRegistration();
    const { result } = renderHook(() => usePushSubscription({ registration }), { wrapper });

    expect(result.current.supported).toBe(true);
    expect(result.current.permission).toBe('default');
    await waitFor(() => expect(result.current.busy).toBe(false));
    expect(notification.requestPermission).not.toHaveBeenCalled();
    expect(registration.pushManager.subscribeCalls).toHaveLength(0);

    let answer: boolean | undefined;
    await act(async () => {
      answer = await result.current.subscribe();
    });
    expect(answer).toBe(true);
    expect(notification.requestPermission).toHaveBeenCalledTimes(1);
    expect(result.current).toMatchObject({ permission: 'granted', subscribed: true, error: null });
    expect(api.subscriptions.size).toBe(1);
    expect(api.requests.find((r) => r.method === 'POST')).toMatchObject({ authorized: true });
  });

  it('a refused permission subscribes nothing and says "denied"', async () => {
    const notification = fakeNotification('denied');
    const registration = fakeRegistration();
    const { result } = renderHook(() => usePushSubscription({ registration }), { wrapper });

    await act(async () => {
      expect(await result.current.subscribe()).toBe(false);
    });
    expect(notification.requestPermission).toHaveBeenCalledTimes(1);
    expect(result.current).toMatchObject({ permission: 'denied', subscribed: false, error: null });
    expect(registration.pushManager.subscribeCalls).toHaveLength(0);
    expect(api.requests).toHaveLength(0);
  });

  it('a server without push says which call failed', async () => {
    fakeNotification('granted');
    await api.close();
    api = await startPushApiStub('another token'); // answers 401 to this user's POST
    const registration = fakeRegistration();
    const { result } = renderHook(() => usePushSubscription({ registration }), { wrapper });

    await act(async () => {
      expect(await result.current.subscribe()).toBe(false);
    });
    expect(result.current.error?.message).toBe('POST /api/push/subscriptions answered 401');
    expect(result.current.subscribed).toBe(false);
    expect(registration.pushManager.current).toBeNull(); // undone in the browser too
  });

  it('a browser without a push service: the error is reported, nothing is registered', async () => {
    fakeNotification('granted');
    const registration = fakeRegistration();
    registration.pushManager.failSubscribe = new Error('Registration failed - push service not available');
    const { result } = renderHook(() => usePushSubscription({ registration }), { wrapper });

    await act(async () => {
      expect(await result.current.subscribe()).toBe(false);
    });
    expect(result.current.subscribed).toBe(false);
    expect(result.current.error?.message).toMatch(/push service not available/);
    expect(api.subscriptions.size).toBe(0);
  });

  it('sees a subscription from an earlier visit without asking, and unsubscribes it on both sides', async () => {
    const notification = fakeNotification('granted');
    notification.permission = 'granted';
    const registration = fakeRegistration();
    const first = renderHook(() => usePushSubscription({ registration }), { wrapper });
    await act(async () => {
      await first.result.current.subscribe();
    });
    first.unmount();
    notification.requestPermission.mockClear();

    const { result } = renderHook(() => usePushSubscription({ registration }), { wrapper });
    await waitFor(() => expect(result.current.subscribed).toBe(true));
    expect(result.current.permission).toBe('granted');
    expect(notification.requestPermission).not.toHaveBeenCalled();

    await act(async () => {
      expect(await result.current.unsubscribe()).toBe(true);
    });
    expect(result.current.subscribed).toBe(false);
    expect(api.subscriptions.size).toBe(0);
    expect(registration.pushManager.current).toBeNull();
  });

  it('where push is unsupported: says so and never asks', async () => {
    const notification = fakeNotification('granted');
    delete globals.PushManager;
    const { result } = renderHook(() => usePushSubscription({ registration: fakeRegistration() }), { wrapper });

    expect(result.current).toMatchObject({ supported: false, permission: 'unsupported', subscribed: false });
    await act(async () => {
      expect(await result.current.subscribe()).toBe(false);
    });
    expect(result.current.error?.message).toMatch(/not supported/);
    expect(notification.requestPermission).not.toHaveBeenCalled();
  });
});
