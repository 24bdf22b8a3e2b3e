import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import {
  resolveHttpBase,
  resolveWebSocketBase,
  TokenRenewal,
  type StreamOptions,
  type WebSocketClientOptions,
  type WebSocketConstructor,
} from './sdk';
import { userIdFromToken } from './jwt';

type TokenSource = () => string | null | undefined | Promise<string | null | undefined>;

/** Anything whose token can be replaced while it stays connected. */
interface TokenHolder {
  updateToken(token: string): void;
}

export interface NumerAIProviderProps {
  /**
   * Origin of the NumerAI API, e.g. `https://api.numerobuddy.com` (ws(s) URLs and a trailing
   * `/ws/` are understood). Defaults to the page's origin.
   */
  baseUrl?: string;

  /** The signed-in user's JWT (from `POST /api/auth/login`). Null or absent: signed out, unless `getToken` gives one. */
  token?: string | null;

  /**
   * Returns a new JWT. Called once when no `token` is given, shortly before the token in use
   * expires (the new one reaches every open socket in-band, so nothing reconnects), and whenever
   * the server refuses the token in use (WebSocket close 4401, REST 401); return null to sign out.
   * `createRefreshingTokenSource(…).getToken` implements it over `POST /api/auth/refresh`.
   */
  getToken?: TokenSource;

  /** WebSocket implementation for the hooks' sockets; defaults to the global one (pass `ws` in Node 20). */
  WebSocket?: WebSocketConstructor;

  /** fetch implementation for the REST calls (history, notifications); defaults to the global one. */
  fetch?: typeof fetch;

  /** Further options for every socket the hooks open (backoff, queue size, …). */
  clientOptions?: Omit<WebSocketClientOptions, 'baseUrl' | 'WebSocket' | 'getToken' | 'autoConnect'> &
    Pick<StreamOptions, 'replayTimeoutMs' | 'maxCatchUpPages'>;

  children?: ReactNode;
}

export interface NumerAIContextValue {
  /** ws(s) base the sockets connect to. */
  wsBase: string;
  /** http(s) base of the REST API. */
  httpBase: string;
  /** The token currently in use, or null while signed out. */
  token: string | null;
  /** `sub` of that token. */
  userId: string | null;
  WebSocket?: WebSocketConstructor;
  clientOptions: NumerAIProviderProps['clientOptions'];
  /** Asks `getToken` (or the `token` prop) for a token; used by the sockets after 4401. */
  refreshToken(): Promise<string | null>;
  /** GET/POST against the REST API with the bearer token; one retry with a fresh token after a 401. */
  api<T>(path: string, init?: RequestInit): Promise<T>;
  /** Sockets register here so that a new token reaches them in-band instead of reconnecting. */
  register(holder: TokenHolder): () => void;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`NumerAI API answered ${status}`);
  }
}

const NumerAIContext = createContext<NumerAIContextValue | null>(null);

/**
 * Supplies the API location and the user's token to the hooks below it:
 *
 * ```tsx
 * <NumerAIProvider baseUrl="https://api.numerobuddy.com" token={accessToken}>
 *   <ChatComponent consultationId={id} />
 * </NumerAIProvider>
 * ```
 */
export function NumerAIProvider(props: NumerAIProviderProps) {
  const { baseUrl, token: tokenProp, getToken, WebSocket, fetch: fetchImpl, clientOptions, children } = props;
  const [token, setToken] = useState<string | null>(tokenProp ?? null);
  const tokenRef = useRef(token);
  const getTokenRef = useRef(getToken);
  getTokenRef.current = getToken;
  const fetchRef = useRef(fetchImpl);
  fetchRef.current = fetchImpl;
  const holders = useRef(new Set<TokenHolder>());
  const hasGetToken = Boolean(getToken);
  // One renewal for all the sockets below: each gets the new token in-band through register().
  const renewRef = useRef<() => void>(() => undefined);
  const [renewal] = useState(() => new TokenRenewal(() => renewRef.current()));
  useEffect(() => () => renewal.cancel(), [renewal]);

  /** `fresh`: just issued by getToken, so its whole lifetime is ahead whatever this device's clock says. */
  const adopt = useCallback(
    (next: string | null, fresh = false) => {
      tokenRef.current = next;
      setToken(next);
      if (next && getTokenRef.current) renewal.schedule(next, fresh);
      else renewal.cancel();
      if (next) for (const holder of holders.current) holder.updateToken(next);
    },
    [renewal],
  );

  // Every socket asks after a 4401, and REST after a 401, often at once: they share one getToken()
  // call, since a refresh token can be spent only once.
  const inFlight = useRef<Promise<string | null> | null>(null);
  const refreshToken = useCallback((): Promise<string | null> => {
    if (inFlight.current) return inFlight.current;
    const run = (async () => {
      const source = getTokenRef.current;
      const next = source ? ((await source()) ?? null) : tokenRef.current;
      if (next !== tokenRef.current) adopt(next, true);
      return next;
    })();
    inFlight.current = run;
    const settled = () => {
      if (inFlight.current === run) inFlight.current = null;
    };
    run.then(settled, settled);
    return run;
  }, [adopt]);
  // A failed renewal changes nothing: at expiry the sockets close with 4401 and ask again.
  renewRef.current = () => void refreshToken().catch(() => undefined);

  useEffect(() => {
    if (tokenProp) adopt(tokenProp);
    else if (hasGetToken) void refreshToken().catch(() => adopt(null));
    else adopt(null);
  }, [tokenProp, hasGetToken, adopt, refreshToken]);

  const wsBase = useMemo(() => resolveWebSocketBase(baseUrl), [baseUrl]);
  const httpBase = useMemo(() => resolveHttpBase(baseUrl), [baseUrl]);

  const api = useCallback(
    async <T>(path: string, init: RequestInit = {}): Promise<T> => {
      const doFetch = fetchRef.current ?? globalThis.fetch;
      const call = (bearer: string | null) =>
        doFetch(`${httpBase}${path}`, {
          ...init,
          headers: {
            accept: 'application/json',
            ...(init.body ? { 'content-type': 'application/json' } : {}),
            ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
            ...(init.headers as Record<string, string> | undefined),
          },
        });
      let response = await call(tokenRef.current);
      if (response.status === 401 && getTokenRef.current) {
        const fresh = await refreshToken();
        if (fresh) response = await call(fresh);
      }
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (a proxy's error page, say): keep the text for ApiError.body.
      }
      if (!response.ok) throw new ApiError(response.status, body);
      return body as T;
    },
    [httpBase, refreshToken],
  );

  const register = useCallback((holder: TokenHolder) => {
    holders.current.add(holder);
    return () => {
      holders.current.delete(holder);
    };
  }, []);

  const value = useMemo<NumerAIContextValue>(
    () => ({
      wsBase,
      httpBase,
      token,
      userId: userIdFromToken(token),
      WebSocket,
      clientOptions,
      refreshToken,
      api,
      register,
    }),
    [wsBase, httpBase, token, WebSocket, clientOptions, refreshToken, api, register],
  );
  return createElement(NumerAIContext.Provider, { value }, children);
}

/** The provider's settings; throws outside a `NumerAIProvider`. */
export function useNumerAI(): NumerAIContextValue {
  const value = useContext(NumerAIContext);
  if (!value) throw new Error('NumerAI hooks must be used inside <NumerAIProvider>');
  return value;
}

/**
 * The options every hook's socket gets from the provider, with the hook's own `clientOptions` in
 * between: the provider's token source (it renews the token for all sockets at once, so they do
 * not renew on their own) and its REST client for catch-up pages.
 */
export function socketOptions(
  ctx: NumerAIContextValue,
  own: NumerAIProviderProps['clientOptions'] | undefined,
): WebSocketClientOptions & StreamOptions {
  return {
    ...ctx.clientOptions,
    ...own,
    baseUrl: ctx.wsBase,
    WebSocket: ctx.WebSocket,
    getToken: ctx.refreshToken,
    refreshBeforeExpiry: false,
    httpGet: (path) => ctx.api(path),
  };
}
