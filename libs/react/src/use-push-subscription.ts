import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, useNumerAI } from './provider';
import {
  pushSupported,
  subscribeToPush,
  unsubscribeFromPush,
  type PushRegistrationLike,
  type PushRequest,
} from './sdk';

export interface UsePushSubscriptionOptions {
  /**
   * The service worker registration that receives the pushes, or a promise of it. Defaults to
   * `navigator.serviceWorker.ready` (register your worker on load; that asks the user nothing).
   */
  registration?: PushRegistrationLike | Promise<PushRegistrationLike>;
}

/** `NotificationPermission`, or 'unsupported' where the browser cannot push. */
export type PushPermission = NotificationPermission | 'unsupported';

export interface UsePushSubscriptionResult {
  /** This browser can receive pushes (service worker, PushManager and Notification exist). */
  supported: boolean;
  /** The notification permission as it stands; 'denied' means the user blocked it (only they can undo that). */
  permission: PushPermission;
  /** This browser has a push subscription (registered with the server by `subscribe()`). */
  subscribed: boolean;
  /** A subscribe/unsubscribe is under way. */
  busy: boolean;
  /**
   * Asks for notification permission, then subscribes and registers with the server. Call it
   * from a click (browsers ignore or penalise permission requests made without one); never on
   * mount. Resolves true once subscribed.
   */
  subscribe(): Promise<boolean>;
  /** Deletes the subscription on the server and in the browser. */
  unsubscribe(): Promise<boolean>;
  /** The last failure (no push service, server refused, …), cleared by the next attempt. */
  error: Error | null;
}

interface NotificationStatic {
  permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
}

function notificationApi(): NotificationStatic | undefined {
  return (globalThis as { Notification?: NotificationStatic }).Notification;
}

function defaultRegistration(): Promise<PushRegistrationLike> {
  return (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<PushRegistrationLike> } } }).navigator
    .serviceWorker.ready;
}

/**
 * Web Push for the signed-in user (inside `NumerAIProvider`): whether this browser can and
 * does receive pushes, and `subscribe()` / `unsubscribe()` for a button. Mounting only reads
 * the current state; the permission prompt appears when the user clicks.
 *
 * ```tsx
 * const push = usePushSubscription();
 * <button onClick={() => void push.subscribe()} disabled={!push.supported || push.permission === 'denied'}>
 *   Enable push notifications
 * </button>
 * ```
 */
export function usePushSubscription(options: UsePushSubscriptionOptions = {}): UsePushSubscriptionResult {
  const { api } = useNumerAI();
  const supported = useMemo(() => pushSupported(), []);
  const [permission, setPermission] = useState<PushPermission>(() =>
    supported ? (notificationApi()?.permission ?? 'default') : 'unsupported',
  );
  const [subscribed, setSubscribed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const registrationOption = useRef(options.registration);
  registrationOption.current = options.registration;
  const registration = useCallback(() => Promise.resolve(registrationOption.current ?? defaultRegistration()), []);
  const request = useCallback<PushRequest>(
    (path, init = {}) => {
      const body = init.body === undefined ? undefined : JSON.stringify(init.body);
      const method = init.method ?? 'GET';
      // Said as the SDK's own fetch says it: which call failed, not only the status.
      return api(path, { method, body }).catch((failure: unknown) => {
        throw failure instanceof ApiError ? new Error(`${method} ${path} answered ${failure.status}`) : failure;
      });
    },
    [api],
  );

  // Reads (never asks): is this browser subscribed already, from an earlier visit?
  useEffect(() => {
    if (!supported) return;
    let live = true;
    registration()
      .then((r) => r.pushManager.getSubscription())
      .then(
        (current) => live && setSubscribed(Boolean(current)),
        (failure: unknown) => live && setError(failure instanceof Error ? failure : new Error(String(failure))),
      );
    return () => {
      live = false;
    };
  }, [supported, registration]);

  const run = useCallback(async (work: () => Promise<boolean>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (failure) {
      setError(failure instanceof Error ? failure : new Error(String(failure)));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  const subscribe = useCallback((): Promise<boolean> => {
    const notification = notificationApi();
    if (!supported || !notification) {
      setError(new Error('Push notifications are not supported in this browser'));
      return Promise.resolve(false);
    }
    // Asked first and synchronously, while the click's user activation still holds (Safari requires it).
    const asked = notification.requestPermission();
    return run(async () => {
      const answer = await asked;
      setPermission(answer);
      if (answer !== 'granted') return false;
      await subscribeToPush({ request, registration: await registration() });
      setSubscribed(true);
      return true;
    });
  }, [supported, run, request, registration]);

  const unsubscribe = useCallback(
    (): Promise<boolean> =>
      run(async () => {
        if (!supported) return false;
        try {
          return await unsubscribeFromPush({ request, registration: await registration() });
        } finally {
          // The browser's side is undone even when the server's fails.
          setSubscribed(false);
        }
      }),
    [supported, run, request, registration],
  );

  return { supported, permission, subscribed, busy, subscribe, unsubscribe, error };
}
