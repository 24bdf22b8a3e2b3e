/** The few REST calls the demo makes before the hooks take over (sign-in, consultations). */

export interface User {
  id: string;
  email: string;
  full_name: string;
  role: 'user' | 'numerologist' | 'admin';
}

export interface Session {
  token: string;
  /** From servers with refresh tokens: rotates on every refresh, so the newest one is kept here. */
  refreshToken?: string;
  user: User;
}

export interface Consultation {
  id: string;
  user_id: string;
  numerologist_id: string;
  status: 'scheduled' | 'active' | 'completed' | 'cancelled';
  scheduled_at: string | null;
  created_at: string;
}

/** The accounts `npm run cli -- demo` creates (their passwords are public on purpose). */
export const DEMO_ACCOUNTS = [
  { label: 'Demo Client', email: 'demo.client@example.com', password: 'demo-client-password' },
  { label: 'Demo Numerologist', email: 'demo.numerologist@example.com', password: 'demo-numerologist-password' },
];

/** The API origin: `?api=http://host:port` when the page is served elsewhere (vite dev), else the page's own. */
export const API_BASE = new URLSearchParams(window.location.search).get('api') ?? window.location.origin;

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function call<T>(
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${API_BASE}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as { message?: string | string[] }) : {};
  if (!response.ok) {
    const message = Array.isArray(body.message) ? body.message.join(', ') : (body.message ?? response.statusText);
    throw new ApiFailure(response.status, message);
  }
  return body as T;
}

interface AuthAnswer {
  access_token: string;
  refresh_token?: string;
  user: User;
}

/** What the demo keeps of a sign-in (or refresh) answer. */
export function sessionOf(answer: AuthAnswer): Session {
  return { token: answer.access_token, refreshToken: answer.refresh_token, user: answer.user };
}

export async function login(email: string, password: string): Promise<Session> {
  return sessionOf(await call<AuthAnswer>('/api/auth/login', { method: 'POST', body: { email, password } }));
}

export async function register(
  email: string,
  password: string,
  fullName: string,
  role: 'user' | 'numerologist',
): Promise<Session> {
  return sessionOf(
    await call<AuthAnswer>('/api/auth/register', {
      method: 'POST',
      body: { email, password, full_name: fullName, role },
    }),
  );
}

export async function listConsultations(token: string): Promise<Consultation[]> {
  return (await call<{ items: Consultation[] }>('/api/consultations', { token })).items;
}

export async function startConsultation(token: string, numerologistId: string): Promise<Consultation> {
  return call<Consultation>('/api/consultations', { method: 'POST', token, body: { numerologist_id: numerologistId } });
}

const SESSION_KEY = 'numerai-demo-session';

/** Per tab (sessionStorage), so two tabs of one browser can be two different users. */
export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null; // Storage disabled or corrupted: start signed out.
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

/** An amount in minor units as money: `250, 'USD'` → `$2.50` (the browser's locale). */
export function money(minor: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
}

/**
 * The demo's top-up: the server signs a Stripe-format payment event with its
 * STRIPE_WEBHOOK_SECRET and applies it through the webhook's own verification. Only a server
 * started with DEMO_TOP_UPS=true has this route (404 otherwise); never in production.
 */
export async function demoTopUp(token: string, amount: number): Promise<void> {
  await call('/api/demo/top-up', { method: 'POST', token, body: { amount } });
}
