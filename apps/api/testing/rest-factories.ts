import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChatMessageEntity } from '@numerai/chat';
import type { ChatMessageData } from '@numerai/protocol';
import { http } from './http';
import type { TestApp } from './test-app';
import { waitFor } from './wait-for';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  name: string;
  role: 'user' | 'numerologist' | 'admin';
  token: string;
  /** From the registration: the session's first refresh token. */
  refreshToken: string;
}

/** Where the REST API is; an in-process app also lets helpers read its database instead. */
export type RestTarget = Pick<TestApp, 'httpUrl'> & Partial<Pick<TestApp, 'app'>>;

let counter = 0;

/** Registers a user through the REST API (the path real clients take) and returns its token. */
export async function createUser(
  server: RestTarget,
  overrides: Partial<Pick<TestUser, 'role' | 'name' | 'email' | 'password'>> = {},
): Promise<TestUser> {
  const role = overrides.role ?? 'user';
  const email = overrides.email ?? `u${++counter}-${randomBytes(4).toString('hex')}@example.test`;
  const password = overrides.password ?? 'correct horse battery';
  const name = overrides.name ?? `${role === 'numerologist' ? 'Numerologist' : 'Client'} ${counter}`;
  // Admins cannot self-register; tests that need one promote a user themselves.
  const res = await http(server.httpUrl, 'POST', '/api/auth/register', {
    body: { email, password, full_name: name, role: role === 'admin' ? 'user' : role },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    email,
    password,
    name,
    role,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
  };
}

const LIFECYCLE_TYPES = [
  'consultation_booked',
  'consultation_started',
  'consultation_completed',
  'consultation_cancelled',
];

/**
 * Switches the consultation lifecycle notifications off for `user`, so suites about other
 * notifications (chat, admin, replay) count only their own. Lifecycle suites opt out.
 */
export async function quietLifecycle(server: RestTarget, user: TestUser): Promise<void> {
  const types = Object.fromEntries(LIFECYCLE_TYPES.map((type) => [type, { in_app: false, push: false }]));
  const res = await http(server.httpUrl, 'PUT', '/api/notifications/preferences', {
    token: user.token,
    body: { types },
  });
  if (res.status !== 200) throw new Error(`preferences failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface ConsultationOptions {
  client?: TestUser;
  numerologist?: TestUser;
  status?: 'active' | 'completed' | 'cancelled';
  /** Keep the lifecycle notifications on (and spend no request on switching them off). */
  lifecycle?: boolean;
}

/**
 * A consultation between a fresh client and a fresh numerologist. Both participants have
 * the lifecycle notifications switched off (see quietLifecycle: one PUT per participant,
 * which counts against their rate budget) unless `lifecycle: true` — which suites that
 * count requests exactly pass too.
 */
export async function createConsultation(server: RestTarget, options: ConsultationOptions = {}) {
  const client = options.client ?? (await createUser(server));
  const numerologist = options.numerologist ?? (await createUser(server, { role: 'numerologist' }));
  if (!options.lifecycle) await Promise.all([quietLifecycle(server, client), quietLifecycle(server, numerologist)]);
  const res = await http(server.httpUrl, 'POST', '/api/consultations', {
    token: client.token,
    body: { numerologist_id: numerologist.id },
  });
  if (res.status !== 201) throw new Error(`create consultation failed: ${res.status} ${JSON.stringify(res.body)}`);
  const consultation = res.body as { id: string; status: string };
  if (options.status) {
    const actor = options.status === 'cancelled' ? client : numerologist;
    const patch = await http(server.httpUrl, 'PATCH', `/api/consultations/${consultation.id}`, {
      token: actor.token,
      body: { status: options.status },
    });
    if (patch.status !== 200) throw new Error(`status change failed: ${patch.status} ${JSON.stringify(patch.body)}`);
  }
  await systemMessagesStored(server, client, consultation.id, options.status ? 2 : 1);
  return { consultation, client, numerologist };
}

/**
 * Each lifecycle step is written into the chat as a system message just after its REST answer:
 * wait until `count` are stored, so a test starts from a settled stream (its own messages follow).
 */
export async function systemMessagesStored(
  server: RestTarget,
  user: TestUser,
  consultationId: string,
  count: number,
): Promise<void> {
  // In-process servers are asked through their database, so waiting spends none of the user's
  // rate budget (suites that count it exactly would see their factory's requests).
  const app = server.app;
  const stored = app
    ? async () =>
        (await app
          .get(DataSource)
          .getRepository(ChatMessageEntity)
          .countBy({ consultationId, messageType: 'system' })) >= count
    : async () => {
        const res = await http<{ items: unknown[] }>(
          server.httpUrl,
          'GET',
          `/api/consultations/${consultationId}/messages?limit=${count}`,
          { token: user.token },
        );
        return res.status === 200 && res.body.items.length >= count;
      };
  await waitFor(`${count} system message(s)`, stored);
}

/** Most messages one history page holds (docs/rest.md). */
const PAGE = 100;

/**
 * The whole stored history of a consultation, oldest first, read page after page with
 * `after_seq` — never only the newest page, however long the history grew. Bounded by `maxPages`.
 */
export async function messageHistory(
  server: RestTarget,
  token: string,
  consultationId: string,
  maxPages = 100,
): Promise<ChatMessageData[]> {
  const all: ChatMessageData[] = [];
  let after = 0;
  for (let page = 0; page < maxPages; page++) {
    const res = await http<{ items: ChatMessageData[] }>(
      server.httpUrl,
      'GET',
      `/api/consultations/${consultationId}/messages?after_seq=${after}&limit=${PAGE}`,
      { token },
    );
    if (res.status !== 200) throw new Error(`history failed: ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...res.body.items);
    if (res.body.items.length < PAGE) return all;
    after = res.body.items[res.body.items.length - 1].seq!;
  }
  throw new Error(`history of ${consultationId} is longer than ${maxPages} pages`);
}
