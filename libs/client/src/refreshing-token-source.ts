import { resolveHttpBase } from './urls';

/** The answer of `POST /api/auth/login`, `…/register` and `…/refresh` (rest.md). */
export interface AuthResponse {
  access_token: string;
  token_type: 'Bearer';
  /** Lifetime of `access_token` in seconds. */
  expires_in: number;
  /** Long-lived and rotating: each refresh spends it and answers a new one. */
  refresh_token?: string;
  user: AuthUser;
}

/** rest.md's `user`. */
export interface AuthUser {
  id: string;
  email: string;
  full_name: string;
  role: 'user' | 'numerologist' | 'admin';
  created_at: string;
}

export interface RefreshingTokenSourceOptions {
  /** Origin of the API (as for the sockets: http(s), ws(s), a trailing `/ws/` is understood). Defaults to the page's origin. */
  baseUrl?: string;

  /** The refresh token of the sign-in (`refresh_token` of login or register), or one kept from an earlier refresh. */
  refreshToken: string;

  /** fetch implementation; defaults to the global one. */
  fetch?: typeof fetch;

  /**
   * Called with every answer of the refresh endpoint — keep its `refresh_token`, the previous one
   * is spent — and with null when the session is over (the endpoint refused the refresh token).
   */
  onTokens?: (tokens: AuthResponse | null) => void;
}

export interface RefreshingTokenSource {
  /**
   * A new access token from `POST /api/auth/refresh`, or null once the session is over. Callers
   * that ask while a refresh is under way share its answer: a refresh token can be spent only
   * once, and presenting a spent one again ends the whole session. Pass it as `getToken`.
   */
  getToken(): Promise<string | null>;
  /** The refresh token the next refresh will present (null once the session is over). */
  readonly refreshToken: string | null;
}

/**
 * `getToken` over the refresh endpoint with rotating refresh tokens:
 *
 * ```ts
 * const session = await login(email, password); // your call to POST /api/auth/login
 * const tokens = createRefreshingTokenSource({ baseUrl, refreshToken: session.refresh_token,
 *   onTokens: (t) => t ? store(t.refresh_token) : signOut() });
 * const ws = createChatWebSocket(id, session.access_token, { baseUrl, getToken: tokens.getToken });
 * ```
 *
 * Network failures and 5xx/429 answers reject (the session may still be fine: ask again later);
 * 400/401/403 end the session (null, and `onTokens(null)`).
 */
export function createRefreshingTokenSource(options: RefreshingTokenSourceOptions): RefreshingTokenSource {
  const url = `${resolveHttpBase(options.baseUrl)}/api/auth/refresh`;
  let refreshToken: string | null = options.refreshToken;
  let inFlight: Promise<string | null> | undefined;

  const refresh = async (): Promise<string | null> => {
    if (!refreshToken) return null;
    const fetchImpl = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!fetchImpl) throw new Error('NumerAI client: no global fetch to refresh the token; pass options.fetch');
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      refreshToken = null;
      options.onTokens?.(null);
      return null;
    }
    if (!response.ok) throw new Error(`NumerAI client: token refresh answered ${response.status}`);
    const answer = (await response.json()) as Partial<AuthResponse> | null;
    if (typeof answer?.access_token !== 'string' || typeof answer.refresh_token !== 'string') {
      throw new Error('NumerAI client: token refresh answered without access_token and refresh_token');
    }
    refreshToken = answer.refresh_token;
    options.onTokens?.(answer as AuthResponse);
    return answer.access_token;
  };

  return {
    getToken() {
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    get refreshToken() {
      return refreshToken;
    },
  };
}
