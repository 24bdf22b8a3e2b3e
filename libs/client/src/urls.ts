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

/** An endpoint's (or a REST page's) path parameters by name, e.g. `{ consultation_id }`. */
export type PathParams = Readonly<Record<string, string | undefined>>;

/** A path template of the contract (`/ws/chat/{consultation_id}/`) with its `{parameters}` filled in. */
export function fillPath(template: string, params: PathParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** `a=1&b=2` of the entries that have a value. */
export function queryString(query: Record<string, string | undefined>): string {
  return Object.entries(query)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

/**
 * `${base}/ws/chat/${id}/?token=…` and its siblings: the endpoint's published address from the
 * contract (libs/protocol), its `{parameters}` filled in, so a new endpoint needs no change here.
 */
export function endpointUrl(
  base: string,
  endpoint: Endpoint,
  options: { params?: PathParams; query?: Record<string, string | undefined> } = {},
): string {
  const path = fillPath(ENDPOINTS[endpoint].address, options.params);
  const query = queryString(options.query ?? {});
  return `${base}${path}${query ? `?${query}` : ''}`;
}
