import { BROADCAST_CHANNEL, channelsOfConnection, MAX_TARGETED_CHANNELS, routeOf } from './event-routes';

describe('event routes', () => {
  it('sends a consultation room its chat events only', () => {
    expect(routeOf('chat.typing', { consultation_id: 'c1', user_id: 'u1', user_name: 'A', is_typing: true })).toEqual([
      'room:chat:c1',
    ]);
  });

  it("sends a presence change to the contacts' user channels, once each", () => {
    const change = { user_id: 'u1', user_name: 'A', online: true, last_seen: null, recipient_ids: ['u2', 'u3', 'u2'] };
    expect(routeOf('presence.changed', change)).toEqual(['user:u2', 'user:u3']);
  });

  it("sends an availability change to the instances holding the public listing's room, nowhere else", () => {
    expect(routeOf('availability.changed', { user_id: 'u1' })).toEqual(['room:availability:public']);
    expect(channelsOfConnection({ userId: 'u1', room: 'availability:public' })).toEqual([
      'user:u1',
      'room:availability:public',
    ]);
  });

  it('broadcasts what every instance needs, and events for too many users', () => {
    expect(routeOf('session.revoked', { user_id: 'u1', session_ids: ['s'] })).toEqual([BROADCAST_CHANNEL]);
    const items = Array.from({ length: MAX_TARGETED_CHANNELS + 1 }, (_, i) => ({
      user_id: `u${i}`,
      notification: {} as never,
      unread_count: 1,
    }));
    expect(routeOf('notification.created_many', { items })).toEqual([BROADCAST_CHANNEL]);
    expect(routeOf('notification.created_many', { items: items.slice(0, 2) })).toEqual(['user:u0', 'user:u1']);
  });

  it("follows a chat socket's room and user, and a per-user socket's user only", () => {
    expect(channelsOfConnection({ userId: 'u1', room: 'chat:c1' })).toEqual(['user:u1', 'room:chat:c1']);
    expect(channelsOfConnection({ userId: 'u1', room: 'notifications:u1' })).toEqual(['user:u1']);
  });
});
