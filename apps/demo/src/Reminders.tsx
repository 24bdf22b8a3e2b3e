import { useNotifications } from '@numerai/react';

/** Consultation reminders as they arrive (the `consultation_reminder` notifications). */
export function Reminders() {
  const { notifications } = useNotifications();
  const reminders = notifications.filter((n) => n.notification_type === 'consultation_reminder');
  if (reminders.length === 0) return null;
  return (
    <section className="reminders" data-testid="reminders">
      <h2>Reminders</h2>
      <ul>
        {reminders.map((n) => (
          <li key={n.id} className="small" data-testid="reminder">
            <strong>{n.title}</strong> — {n.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
