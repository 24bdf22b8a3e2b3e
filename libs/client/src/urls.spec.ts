import { ENDPOINTS, type Endpoint } from '@numerai/protocol';
import { endpointUrl, resolveHttpBase, resolveWebSocketBase } from './urls';

describe('urls', () => {
  it('maps http(s) to ws(s) and understands the published base URLs ending in /ws/', () => {
    expect(resolveWebSocketBase('http://localhost:8000')).toBe('ws://localhost:8000');
    expect(resolveWebSocketBase('https://api.numerobuddy.com/')).toBe('wss://api.numerobuddy.com');
    expect(resolveWebSocketBase('wss://api.numerobuddy.com/ws/')).toBe('wss://api.numerobuddy.com');
    expect(resolveWebSocketBase('ws://localhost:8000/ws')).toBe('ws://localhost:8000');
    expect(resolveWebSocketBase('https://example.test/numerai/')).toBe('wss://example.test/numerai');
    expect(resolveHttpBase('wss://api.numerobuddy.com/ws/')).toBe('https://api.numerobuddy.com');
  });

  it('defaults to the page origin in a browser', () => {
    const g = globalThis as { location?: unknown };
    const had = 'location' in g;
    const previous = g.location;
    g.location = { origin: 'https://app.numerobuddy.com' };
    try {
      expect(resolveWebSocketBase()).toBe('wss://app.numerobuddy.com');
    } finally {
      if (had) g.location = previous;
      else delete g.location;
    }
  });

  it('refuses to guess outside a browser, and refuses other schemes', () => {
    expect(() => resolveWebSocketBase()).toThrow(/baseUrl/);
    expect(() => resolveWebSocketBase('ftp://x')).toThrow(/http\(s\) or ws\(s\)/);
  });

  it('builds the published endpoint URLs with the token in the query', () => {
    expect(endpointUrl('ws://h:1', 'chat', { params: { consultation_id: 'c-1' }, query: { token: 'a.b+c' } })).toBe(
      'ws://h:1/ws/chat/c-1/?token=a.b%2Bc',
    );
    expect(endpointUrl('ws://h:1', 'notifications', { query: { token: 't', last_message_id: undefined } })).toBe(
      'ws://h:1/ws/notifications/?token=t',
    );
    expect(endpointUrl('ws://h:1', 'presence')).toBe('ws://h:1/ws/presence/');
  });

  it('builds, for every endpoint of the contract, a path its server route matches', () => {
    for (const [name, contract] of Object.entries(ENDPOINTS)) {
      const url = new URL(endpointUrl('ws://h:1', name as Endpoint, { params: { consultation_id: 'c-1' } }));
      const route = new RegExp(`^${contract.route.replace(/:\w+/g, '[^/]+')}/?$`);
      expect(url.pathname).toMatch(route);
    }
  });
});
