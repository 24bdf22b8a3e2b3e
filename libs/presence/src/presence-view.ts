import type { PresenceContext, ServerFrame } from '@numerai/protocol';

/**
 * Keeps one presence connection's view consistent: a `user_online` about a contact it
 * already shows is dropped (no flap), and a `user_offline` about one it does not show is
 * dropped too (it never saw them online: a snapshot taken after they left, or a contact
 * ending while they were away). Returns whether the frame goes out, and records it if so.
 * Before the snapshot (`shown` null) every frame passes: it is held, and filtered on release.
 */
export function passesView(context: PresenceContext, frame: ServerFrame): boolean {
  const shown = context.shown;
  if (!shown) return true;
  if (frame.type === 'user_online') {
    if (shown.has(frame.user_id)) return false;
    shown.add(frame.user_id);
    return true;
  }
  if (frame.type === 'user_offline') return shown.delete(frame.user_id);
  return true;
}
