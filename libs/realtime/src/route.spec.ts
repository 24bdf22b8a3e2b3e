import { RoutePattern } from './route';

describe('RoutePattern', () => {
  const chat = new RoutePattern('/ws/chat/:consultation_id');

  it('matches with and without the trailing slash and extracts params', () => {
    expect(chat.match('/ws/chat/abc/')).toEqual({ consultation_id: 'abc' });
    expect(chat.match('/ws/chat/abc')).toEqual({ consultation_id: 'abc' });
  });

  it('refuses other shapes', () => {
    expect(chat.match('/ws/chat/')).toBeUndefined();
    expect(chat.match('/ws/chat/a/b')).toBeUndefined();
    expect(chat.match('/ws/notifications/')).toBeUndefined();
  });

  it('decodes params and survives malformed escapes', () => {
    expect(chat.match('/ws/chat/a%20b')).toEqual({ consultation_id: 'a b' });
    expect(chat.match('/ws/chat/%E0%A4%A')).toEqual({ consultation_id: '%E0%A4%A' });
  });
});
