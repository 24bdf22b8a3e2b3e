import { useState } from 'react';
import { useNotifications } from '@numerai/react';

/** The notifications bell: live unread count, the recent list, mark one or all read. */
export function Bell() {
  const { notifications, unreadCount, markRead, markAllRead, isConnected } = useNotifications();
  const [open, setOpen] = useState(false);
  return (
    <div className="bell">
      <button
        type="button"
        className="bell-button"
        data-testid="bell"
        aria-label={`Notifications: ${unreadCount} unread`}
        onClick={() => setOpen((value) => !value)}
      >
        <svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" className="bell-icon">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5-6.71V3.5a2 2 0 0 0-4 0v.79A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        <span className={unreadCount > 0 ? 'badge' : 'badge zero'} data-testid="unread-count">
          {unreadCount}
        </span>
        {!isConnected && <span className="muted small"> (offline)</span>}
      </button>
      {open && (
        <div className="bell-panel" data-testid="notifications">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button type="button" className="link" data-testid="mark-all-read" onClick={markAllRead}>
              Mark all read
            </button>
          </div>
          {notifications.length === 0 && <p className="muted">Nothing yet.</p>}
          <ul>
            {notifications.map((n) => (
              <li key={n.id} className={n.is_read ? 'read' : 'unread'}>
                <button type="button" className="notification" onClick={() => markRead(n.id)}>
                  <strong>{n.title}</strong>
                  <span>{n.message}</span>
                  <span className="muted small">{new Date(n.created_at).toLocaleTimeString()}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
