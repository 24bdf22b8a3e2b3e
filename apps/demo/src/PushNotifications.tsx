import { useEffect, useState } from 'react';
import type { PushPayload } from '@numerai/client';
import type { UsePushSubscriptionResult } from '@numerai/react';
import { onPushMessage } from './service-worker';

/** What the section says about this browser, for people and for the browser test. */
function stateOf(push: UsePushSubscriptionResult): 'unsupported' | 'blocked' | 'enabled' | 'off' {
  if (!push.supported) return 'unsupported';
  if (push.permission === 'denied') return 'blocked';
  return push.subscribed ? 'enabled' : 'off';
}

const LABELS = {
  unsupported: 'Not supported in this browser',
  blocked: 'Blocked — allow notifications for this site in the browser settings',
  enabled: 'Enabled',
  off: 'Off',
};

/**
 * Web Push for the signed-in user: the permission is asked when the button is clicked (never on
 * load), then this browser subscribes; pushes that arrive while the page is open are listed. The
 * hook itself lives in the workspace, whose sign-out unsubscribes this browser.
 */
export function PushNotifications({ push }: { push: UsePushSubscriptionResult }) {
  const [pushed, setPushed] = useState<PushPayload[]>([]);
  useEffect(() => onPushMessage((payload) => setPushed((list) => [payload, ...list].slice(0, 10))), []);
  const state = stateOf(push);

  return (
    <section className="push" data-testid="push">
      <h2>Push notifications</h2>
      <p className="small">
        <span data-testid="push-state" data-state={state}>
          {LABELS[state]}
        </span>
      </p>
      {state === 'off' && (
        <button type="button" data-testid="push-enable" disabled={push.busy} onClick={() => void push.subscribe()}>
          Enable push notifications
        </button>
      )}
      {state === 'enabled' && (
        <button
          type="button"
          className="link"
          data-testid="push-disable"
          disabled={push.busy}
          onClick={() => void push.unsubscribe()}
        >
          Turn off
        </button>
      )}
      {push.error && (
        <p className="error small" data-testid="push-error">
          Push notifications failed: {push.error.message}
        </p>
      )}
      {pushed.length > 0 && (
        <ul>
          {pushed.map((p, i) => (
            <li key={`${p.notification_id}-${i}`} className="small" data-testid="pushed">
              <strong>{p.title}</strong> — {p.body}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
