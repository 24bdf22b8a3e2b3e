import { resolveHttpBase } from './urls';

/** Reads one REST resource (`path` under the API origin, with the bearer token) and resolves its parsed JSON. */
export type HttpGet = (path: string) => Promise<unknown>;

/**
 * The default `HttpGet`: the global fetch against the http(s) origin of `baseUrl`, with the
 * client's current token. A non-2xx answer rejects (the caller decides what a failed page means).
 */
export function fetchHttpGet(baseUrl: string, currentToken: () => string | null | undefined): HttpGet {
  const origin = resolveHttpBase(baseUrl);
  return async (path) => {
    const fetchImpl = (globalThis as { fetch?: typeof fetch }).fetch;
    if (!fetchImpl) throw new Error('NumerAI client: no global fetch for REST catch-up; pass options.httpGet');
    const token = currentToken();
    const response = await fetchImpl(`${origin}${path}`, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    // The path only: its query holds positions, never the token (which travels in a header).
    if (!response.ok) throw new Error(`NumerAI client: GET ${path.split('?')[0]} answered ${response.status}`);
    return response.json() as Promise<unknown>;
  };
}

/**
 * The items of a page answer (`{items:[…]}`) that can be positions after `afterSeq`: objects with
 * a string id and a `seq` above it, at most `limit` of them, in `seq` order. Anything else a
 * server might send is dropped here rather than trusted. `last`: nothing is stored after this
 * page — it was shorter than `limit`, or the server said so (`next_after_seq: null`).
 */
export function pageItems<T extends { id: string; seq?: number }>(
  body: unknown,
  afterSeq: number,
  limit: number,
): { items: T[]; last: boolean } {
  const page = body as { items?: unknown; next_after_seq?: unknown } | null;
  const items = page?.items;
  if (!Array.isArray(items)) return { items: [], last: true };
  const usable = items
    .slice(0, limit)
    .filter(
      (item): item is T =>
        Boolean(item) &&
        typeof item === 'object' &&
        typeof (item as T).id === 'string' &&
        Number.isSafeInteger((item as T).seq) &&
        (item as T).seq! > afterSeq,
    )
    .sort((a, b) => a.seq! - b.seq!);
  return { items: usable, last: items.length < limit || page?.next_after_seq === null };
}
