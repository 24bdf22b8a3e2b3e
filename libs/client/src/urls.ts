import { ENDPOINTS, type Endpoint } from '@numerai/protocol';

/**
 * The WebSocket origin (plus optional path prefix) to connect to. Accepts http(s) or ws(s)
 * URLs, with or without a trailing `/ws/` (the published base URLs include it), and
 * defaults to the page's own origin in a browser.
 */
export function resolveWebSocketBase(baseUrl?: string): string {
  let base = baseUrl;
  if (!base) {
    const location = (globalThis as { location?: { origin?: string } }).location;
    if (!location?.origin || location.origin === 'null') {
      throw new Error(
        'NumerAI client: no baseUrl given and no page origin to default to; pass options.baseUrl (e.g. "ws://localhost:8000")',
      );
    }
    base = location.origin;
  }
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`NumerAI client: baseUrl must be an http(s) or ws(s) URL, got "${base}"`);
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/ws')) path = path.slice(0, -3);
  return `${url.protocol}//${url.host}${path}`;
}

/** The same base as an http(s) URL, for the REST API next to the sockets. */
export function resolveHttpBase(baseUrl?: string): string {
  return resolveWebSocketBase(baseUrl).replace(/^ws/, 'http');
}

/**
 * `${base}/ws/chat/${id}/?token=…` and its siblings: the endpoint's published address from the
 * contract (libs/protocol), its `{parameters}` filled in, so a new endpoint needs no change here.
 */
export function endpointUrl(
  base: string,
  endpoint: Endpoint,
  options: { consultationId?: string; query?: Record<string, string | undefined> } = {},
): string {
  const parameters: Record<string, string | undefined> = { consultation_id: options.consultationId };
  const path = ENDPOINTS[endpoint].address.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(parameters[name] ?? ''),
  );
  const query = Object.entries(options.query ?? {})
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  return `${base}${path}${query ? `?${query}` : ''}`;
}
