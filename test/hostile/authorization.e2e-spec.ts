import { createECDH, createHmac, generateKeyPairSync, randomBytes, sign as rsaSign } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NotificationEntity } from '@numerai/notifications';
import type { ServerFrame } from '@numerai/protocol';
import { UsersService } from '@numerai/users';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http, HttpResult } from '../support/http';
import { sidOf, TEST_JWT_SECRET } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { connect, TestSocket } from '../support/ws-client';
import {
  adminNotify,
  chatUrl,
  closeAll,
  createAdmin,
  notificationsUrl,
  openChat,
  openNotifications,
  openPresence,
  presenceUrl,
  say,
  withTimeout,
} from '../ws/helpers';
import { meStatus, newSession } from '../ws/session-helpers';
import { ReliabilityRecorder } from './support/recorder';

/**
 * Issue 8, "Authorization matrix": every REST route (read from the app's own OpenAPI
 * document, so a new route without a row here fails the suite) and every WebSocket
 * endpoint, against every kind of bad token, answer with the documented refusal; a valid
 * token of another user gets 404/403 or only its own data; no answer carries another
 * user's messages, read markers, notifications, presence or consultation details.
 */
const recorder = new ReliabilityRecorder('authorization');

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function craft(header: Record<string, unknown>, payload: Record<string, unknown>, sign: (input: string) => string) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign(input)}`;
}
/** A browser's PushSubscription JSON for `endpoint`, with a real P-256 key. */
function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

const hmac = (algorithm: 'sha256' | 'sha512', key: string) => (input: string) =>
  createHmac(algorithm, key).update(input).digest('base64url');

interface Route {
  method: string;
  /** OpenAPI path template, e.g. /api/consultations/{id}. */
  template: string;
  path: string;
  body?: unknown;
  /** What a valid token of an unrelated user must get. */
  otherUser: {
    status: number;
    check?: (res: HttpResult) => string | undefined | Promise<string | undefined>;
    /** The unrelated user's token for this route, when it must not be Carol's main one (e.g. logout-all ends it). */
    token?: () => Promise<string>;
  };
}

describe('hostile: authorization matrix', () => {
  let server: TestServer;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  /** Carol's own contact (the numerologist of her consultation): what she may hear about. */
  let carolsContact: TestUser;
  /** A numerologist Carol has no open consultation with, so her POST may open one (one per pair). */
  let erin: TestUser;
  /** A client Bob (a numerologist) has blocked: another user must not be able to lift that. */
  let blockedByBob: TestUser;
  let consultationId: string;
  let notificationId: string;
  let pushSubscriptionId: string;
  let badTokens: { kind: string; token: string | undefined }[];
  /** Strings that only Alice and Bob may ever see. */
  let secrets: string[];
  let aliceSockets: TestSocket[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      RATE_LIMIT_PER_MINUTE: '1000000',
      WS_UPGRADES_PER_MINUTE_PER_IP: '1000000',
      PUSH_ENDPOINT_HOSTS: 'push.example.test', // the push subscriptions below: never sent to, only listed
    });
    admin = await createAdmin(server);
    const pair = await createConsultation(server);
    alice = pair.client;
    bob = pair.numerologist;
    consultationId = pair.consultation.id;
    // Carol has a consultation of her own (with someone else), so she is a user like Alice.
    ({ client: carol, numerologist: carolsContact } = await createConsultation(server, { status: 'active' }));
    erin = await createUser(server, { role: 'numerologist' });
    ({ client: blockedByBob } = await createConsultation(server, { numerologist: bob }));
    await http(server.httpUrl, 'POST', '/api/blocks', { token: bob.token, body: { user_id: blockedByBob.id } });

    const messageMarker = `private-message-${randomBytes(6).toString('hex')}`;
    const noteMarker = `private-note-${randomBytes(6).toString('hex')}`;
    const a = await openChat(server, consultationId, alice);
    const b = await openChat(server, consultationId, bob);
    const stored = await say(a, `${messageMarker} from alice`);
    await b.next('chat_message');
    b.send({ type: 'read_receipt', message_id: stored.id });
    await a.next('read_receipt');
    await closeAll(a, b);
    notificationId = (await adminNotify(server, admin, alice.id, { title: noteMarker, message: `${noteMarker} body` }))
      .id;
    const pushEndpoint = `https://push.example.test/${randomBytes(8).toString('hex')}`;
    pushSubscriptionId = (
      await http(server.httpUrl, 'POST', '/api/push/subscriptions', {
        token: alice.token,
        body: browserSubscription(pushEndpoint),
      })
    ).body.id;
    secrets = [
      pushEndpoint,
      pushSubscriptionId,
      messageMarker,
      noteMarker,
      alice.email,
      bob.email,
      alice.id,
      bob.id,
      consultationId,
      notificationId,
      stored.id,
    ];

    // A user whose token is genuine but who no longer exists.
    const eve = await createUser(server);
    await server.app.get(UsersService).delete(eve.id);

    // Genuine tokens whose session has ended: logged out, blocked by an admin, erased account.
    const [loggedOut, blocked, erased] = [await createUser(server), await createUser(server), await createUser(server)];
    await http(server.httpUrl, 'POST', '/api/auth/logout', { token: loggedOut.token });
    await http(server.httpUrl, 'POST', `/api/admin/users/${blocked.id}/block`, { token: admin.token });
    await http(server.httpUrl, 'DELETE', '/api/users/me', { token: erased.token, body: { password: erased.password } });

    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: alice.id,
      name: alice.name,
      role: 'user',
      sid: sidOf(alice.token),
      iat: now,
      exp: now + 3600,
    };
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    badTokens = [
      { kind: 'no token', token: undefined },
      { kind: 'malformed', token: 'not-a-jwt' },
      { kind: 'malformed (three garbage parts)', token: 'aGVsbG8.d29ybGQ.c2ln' },
      { kind: 'forged signature', token: craft({ alg: 'HS256', typ: 'JWT' }, claims, hmac('sha256', 'a'.repeat(40))) },
      { kind: 'alg:none', token: craft({ alg: 'none', typ: 'JWT' }, claims, () => '') },
      {
        kind: 'alg:none carrying a real HS256 signature',
        token: craft({ alg: 'none', typ: 'JWT' }, claims, hmac('sha256', TEST_JWT_SECRET)),
      },
      {
        kind: 'RS256 (attacker key pair)',
        token: craft({ alg: 'RS256', typ: 'JWT' }, claims, (input) =>
          rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url'),
        ),
      },
      {
        kind: 'HS256 signed with a public key (RS/HS confusion)',
        token: craft({ alg: 'HS256', typ: 'JWT' }, claims, hmac('sha256', publicPem)),
      },
      {
        kind: 'HS512 with the real secret',
        token: craft({ alg: 'HS512', typ: 'JWT' }, claims, hmac('sha512', TEST_JWT_SECRET)),
      },
      {
        kind: 'expired',
        token: craft({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now - 60 }, hmac('sha256', TEST_JWT_SECRET)),
      },
      {
        kind: 'not yet valid (nbf in the future)',
        token: craft({ alg: 'HS256', typ: 'JWT' }, { ...claims, nbf: now + 3600 }, hmac('sha256', TEST_JWT_SECRET)),
      },
      { kind: 'token of a deleted user', token: eve.token },
      {
        kind: 'genuine but without sid',
        token: craft({ alg: 'HS256', typ: 'JWT' }, { ...claims, sid: undefined }, hmac('sha256', TEST_JWT_SECRET)),
      },
      { kind: 'token of a logged-out session', token: loggedOut.token },
      { kind: 'token of a blocked user', token: blocked.token },
      { kind: 'token of an erased account', token: erased.token },
    ];
    // Alice and Bob are online on every endpoint while the matrix runs: presence must still not leak.
    aliceSockets = [
      (await openPresence(server, alice)).socket,
      (await openPresence(server, bob)).socket,
      (await openNotifications(server, alice)).socket,
    ];
  }, 60_000);

  afterAll(async () => {
    recorder.write();
    await closeAll(...aliceSockets);
    await server?.close();
  });

  /** The secrets an answer must not contain: all of them, less any the request itself named. */
  function leaks(res: HttpResult | string, request: string): string[] {
    const text = typeof res === 'string' ? res : JSON.stringify(res.body ?? '');
    return secrets.filter((secret) => !request.includes(secret) && text.includes(secret));
  }

  function routes(): Route[] {
    const onlyOwn = (res: HttpResult) =>
      res.status === 200 || res.status === 201 ? undefined : `status ${res.status}`;
    return [
      {
        method: 'GET',
        template: '/api/users/me',
        path: '/api/users/me',
        otherUser: { status: 200, check: (r) => (r.body?.id === carol.id ? undefined : 'not carol') },
      },
      {
        method: 'POST',
        template: '/api/consultations',
        path: '/api/consultations',
        body: { numerologist_id: erin.id },
        otherUser: { status: 201, check: (r) => (r.body?.user_id === carol.id ? undefined : 'not carol’s') },
      },
      {
        method: 'GET',
        template: '/api/consultations',
        path: '/api/consultations',
        otherUser: { status: 200, check: onlyOwn },
      },
      {
        method: 'GET',
        template: '/api/consultations/{id}',
        path: `/api/consultations/${consultationId}`,
        otherUser: { status: 404 },
      },
      {
        method: 'PATCH',
        template: '/api/consultations/{id}',
        path: `/api/consultations/${consultationId}`,
        body: { status: 'cancelled' },
        otherUser: { status: 404 },
      },
      {
        method: 'GET',
        template: '/api/consultations/{id}/messages',
        path: `/api/consultations/${consultationId}/messages`,
        otherUser: { status: 404 },
      },
      // Another pair's live session: no such consultation for Carol, whatever she tries.
      ...(
        [
          ['GET', ''],
          ['POST', ''],
          ['POST', '/accept'],
          ['POST', '/end'],
        ] as const
      ).map(([method, action]) => ({
        method,
        template: `/api/consultations/{id}/session${action}`,
        path: `/api/consultations/${consultationId}/session${action}`,
        otherUser: { status: 404 },
      })),
      {
        method: 'GET',
        template: '/api/notifications',
        path: '/api/notifications',
        otherUser: { status: 200, check: onlyOwn },
      },
      {
        method: 'GET',
        template: '/api/notifications/unread-count',
        path: '/api/notifications/unread-count',
        otherUser: { status: 200, check: (r) => (r.body?.count === 0 ? undefined : `count ${r.body?.count}`) },
      },
      {
        method: 'POST',
        template: '/api/notifications/read-all',
        path: '/api/notifications/read-all',
        otherUser: { status: 200, check: (r) => (r.body?.count === 0 ? undefined : `count ${r.body?.count}`) },
      },
      {
        method: 'POST',
        template: '/api/notifications/{id}/read',
        path: `/api/notifications/${notificationId}/read`,
        otherUser: { status: 404 },
      },
      {
        method: 'POST',
        template: '/api/admin/notifications',
        path: '/api/admin/notifications',
        body: { user_id: alice.id, title: 'phish', message: 'phish', notification_type: 'phish' },
        otherUser: { status: 403 },
      },
      {
        method: 'POST',
        template: '/api/admin/notifications/broadcast',
        path: '/api/admin/notifications/broadcast',
        body: { user_ids: [alice.id], title: 'phish', message: 'phish', notification_type: 'phish' },
        otherUser: { status: 403 },
      },
      {
        method: 'POST',
        template: '/api/auth/logout',
        path: '/api/auth/logout',
        body: { refresh_token: alice.refreshToken },
        otherUser: {
          status: 204,
          token: async () => (await newSession(server, carol)).token,
          check: async () => ((await meStatus(server, alice.token)) === 200 ? undefined : 'ended Alice’s session'),
        },
      },
      {
        method: 'POST',
        template: '/api/auth/logout-all',
        path: '/api/auth/logout-all',
        otherUser: {
          status: 204,
          token: async () => (await createUser(server)).token,
          check: async () => ((await meStatus(server, alice.token)) === 200 ? undefined : 'ended Alice’s session'),
        },
      },
      {
        method: 'POST',
        template: '/api/auth/password',
        path: '/api/auth/password',
        // Every test user shares one default password: a guess, not Carol's, is what an attacker holding her token sends.
        body: { current_password: 'a guessed password', new_password: 'taken over at last' },
        otherUser: { status: 403 },
      },
      {
        method: 'DELETE',
        template: '/api/users/me',
        path: '/api/users/me',
        body: { password: 'a guessed password' },
        otherUser: { status: 403 },
      },
      {
        method: 'GET',
        template: '/api/users/me/export',
        path: '/api/users/me/export',
        otherUser: { status: 200, check: (r) => (r.body?.profile?.id === carol.id ? undefined : 'not carol’s') },
      },
      ...['block', 'unblock', 'sessions/revoke'].map((action) => ({
        method: 'POST',
        template: `/api/admin/users/{id}/${action}`,
        path: `/api/admin/users/${alice.id}/${action}`,
        otherUser: { status: 403 },
      })),
      {
        method: 'PATCH',
        template: '/api/users/me',
        path: '/api/users/me',
        body: { time_zone: 'UTC' },
        otherUser: { status: 200, check: (r) => (r.body?.id === carol.id ? undefined : 'not carol') },
      },
      {
        method: 'GET',
        template: '/api/notifications/preferences',
        path: '/api/notifications/preferences',
        otherUser: { status: 200, check: onlyOwn },
      },
      {
        method: 'PUT',
        template: '/api/notifications/preferences',
        path: '/api/notifications/preferences',
        body: { types: {} },
        otherUser: { status: 200, check: onlyOwn },
      },
      // Carol has no birth date: her own answer is the 409, never someone else's reading.
      { method: 'GET', template: '/api/readings/today', path: '/api/readings/today', otherUser: { status: 409 } },
      {
        method: 'GET',
        template: '/api/readings',
        path: '/api/readings?date=2026-01-01',
        otherUser: { status: 409 },
      },
      {
        method: 'GET',
        template: '/api/push/subscriptions',
        path: '/api/push/subscriptions',
        otherUser: { status: 200, check: (r) => (JSON.stringify(r.body) === '[]' ? undefined : 'not carol’s') },
      },
      {
        method: 'POST',
        template: '/api/push/subscriptions',
        path: '/api/push/subscriptions',
        body: browserSubscription('https://push.example.test/carol'),
        otherUser: { status: 201, check: onlyOwn },
      },
      {
        method: 'DELETE',
        template: '/api/push/subscriptions/{id}',
        path: `/api/push/subscriptions/${pushSubscriptionId}`,
        otherUser: { status: 404 },
      },
      {
        method: 'GET',
        template: '/api/blocks',
        path: '/api/blocks',
        otherUser: {
          status: 200,
          check: (r) =>
            JSON.stringify(r.body) === '{"items":[],"next_before":null}' ? undefined : JSON.stringify(r.body),
        },
      },
      // Carol is a client: only a numerologist blocks.
      {
        method: 'POST',
        template: '/api/blocks',
        path: '/api/blocks',
        body: { user_id: alice.id },
        otherUser: { status: 403 },
      },
      {
        method: 'DELETE',
        template: '/api/blocks/{user_id}',
        path: `/api/blocks/${blockedByBob.id}`,
        // Idempotent, and only ever the caller's own blocks: Bob's stays.
        otherUser: {
          status: 204,
          check: async () => {
            const bobs = await http(server.httpUrl, 'GET', '/api/blocks', { token: bob.token });
            return bobs.body?.items?.some((b: { user_id: string }) => b.user_id === blockedByBob.id)
              ? undefined
              : 'lifted Bob’s block';
          },
        },
      },
      {
        method: 'GET',
        template: '/api/presence',
        path: `/api/presence?user_ids=${alice.id},${bob.id}`,
        otherUser: {
          status: 200,
          check: (r) => (JSON.stringify(r.body) === '{"users":[]}' ? undefined : JSON.stringify(r.body)),
        },
      },
      {
        method: 'GET',
        template: '/api/wallet',
        path: '/api/wallet',
        // Carol's own, empty wallet: never Alice's balance or entries.
        otherUser: {
          status: 200,
          check: (r) =>
            r.body?.balance === 0 && r.body?.entries?.items?.length === 0 ? undefined : JSON.stringify(r.body),
        },
      },
      {
        method: 'POST',
        template: '/api/admin/wallets/{userId}/grants',
        path: `/api/admin/wallets/${carol.id}/grants`,
        body: { amount: 1000, idempotency_key: 'self-grant' },
        otherUser: { status: 403 },
      },
      // Carol is a client: availability and rates are a numerologist's.
      { method: 'GET', template: '/api/availability', path: '/api/availability', otherUser: { status: 403 } },
      {
        method: 'PUT',
        template: '/api/availability',
        path: '/api/availability',
        body: { status: 'available' },
        otherUser: { status: 403 },
      },
      {
        method: 'PUT',
        template: '/api/availability/rate',
        path: '/api/availability/rate',
        body: { rate_minor: 100 },
        otherUser: { status: 403 },
      },
      // The public list of numerologists who opted in: any signed-in user may read it.
      {
        method: 'GET',
        template: '/api/numerologists/available',
        path: '/api/numerologists/available',
        otherUser: { status: 200, check: onlyOwn },
      },
    ];
  }

  /** Routes anyone may call: they are not part of the matrix. */
  const PUBLIC = [
    'POST /api/auth/register',
    'POST /api/auth/login',
    'POST /api/auth/refresh',
    'GET /health',
    'GET /metrics',
    'GET /api/push/vapid-public-key',
    // Authenticated by the payment provider's signature, not a user token (test/wallet).
    'POST /api/payments/webhook',
  ];

  it('the matrix covers every route of the OpenAPI document', async () => {
    const doc = await http<{ paths: Record<string, Record<string, unknown>> }>(server.httpUrl, 'GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const covered = new Set([...routes().map((r) => `${r.method} ${r.template}`), ...PUBLIC]);
    const missing = documented.filter((route) => !covered.has(route));
    expect(missing).toEqual([]);
    expect(documented.length).toBeGreaterThanOrEqual(routes().length);
  });

  it('REST: every protected route × every bad token → 401 in rest.md’s shape, nothing of anyone in the body', async () => {
    const seen: Record<string, number> = {};
    const failures: string[] = [];
    for (const route of routes()) {
      for (const { kind, token } of badTokens) {
        const res = await http(server.httpUrl, route.method, route.path, { token, body: route.body });
        seen[res.status] = (seen[res.status] ?? 0) + 1;
        const leaked = leaks(res, route.path + JSON.stringify(route.body ?? ''));
        const shapeOk =
          res.body?.statusCode === 401 && typeof res.body?.error === 'string' && res.body?.message !== undefined;
        if (res.status !== 401 || !shapeOk || leaked.length > 0) {
          failures.push(
            `${route.method} ${route.path} with ${kind}: ${res.status} ${JSON.stringify(res.body)} leaked ${leaked}`,
          );
        }
      }
      // The same refusal when the token comes the way REST does not take it (?token=).
      const viaQuery = await http(
        server.httpUrl,
        route.method,
        `${route.path}${route.path.includes('?') ? '&' : '?'}token=${alice.token}`,
        {
          body: route.body,
        },
      );
      seen[viaQuery.status] = (seen[viaQuery.status] ?? 0) + 1;
      if (viaQuery.status !== 401) failures.push(`${route.method} ${route.path} with ?token=: ${viaQuery.status}`);
    }
    const tried = routes().length * (badTokens.length + 1);
    recorder.record({
      area: 'Authorization',
      attack: `REST: ${routes().length} protected routes × {${badTokens.map((t) => t.kind).join(', ')}, a genuine token in ?token= (REST takes only the header)}`,
      tried,
      expected: '401 {statusCode, error, message} every time; no other user’s data in the body',
      seen:
        failures.length === 0
          ? `${JSON.stringify(seen)} (status: count); 0 leaks`
          : `FAILED ${failures.length}: ${failures.slice(0, 3).join(' | ')}`,
      ok: failures.length === 0,
    });
    expect(failures).toEqual([]);
  });

  it('REST: a valid token of another user → 404 / 403 or only that user’s own data; Alice’s data unchanged', async () => {
    const failures: string[] = [];
    const statuses: string[] = [];
    const db = server.app.get(DataSource);
    const aliceNotesBefore = await db.getRepository(NotificationEntity).find({ where: { userId: alice.id } });
    for (const route of routes()) {
      const token = route.otherUser.token ? await route.otherUser.token() : carol.token;
      const res = await http(server.httpUrl, route.method, route.path, { token, body: route.body });
      statuses.push(`${route.method} ${route.template} ${res.status}`);
      const problem =
        res.status !== route.otherUser.status
          ? `status ${res.status}`
          : route.otherUser.check
            ? await route.otherUser.check(res)
            : undefined;
      const leaked = leaks(res, route.path + JSON.stringify(route.body ?? ''));
      if (problem || leaked.length > 0)
        failures.push(`${route.method} ${route.path}: ${problem ?? ''} leaked [${leaked}] ${JSON.stringify(res.body)}`);
    }
    const aliceNotesAfter = await db.getRepository(NotificationEntity).find({ where: { userId: alice.id } });
    const consultation = await http(server.httpUrl, 'GET', `/api/consultations/${consultationId}`, {
      token: alice.token,
    });
    const unchanged =
      JSON.stringify(aliceNotesAfter) === JSON.stringify(aliceNotesBefore) &&
      consultation.body?.status === 'scheduled' &&
      (await meStatus(server, alice.token)) === 200 &&
      (
        await http(server.httpUrl, 'POST', '/api/auth/login', {
          body: { email: alice.email, password: alice.password },
        })
      ).status === 200;
    // Control: Alice herself does see her data, so the leak check above can fail.
    const own = await http(server.httpUrl, 'GET', `/api/consultations/${consultationId}/messages`, {
      token: alice.token,
    });
    const control = leaks(own, '').length > 0;
    recorder.record({
      area: 'Authorization',
      attack: `REST: ${routes().length} routes with the valid token of a user who shares nothing with the owner (ids of the owner’s consultation, notification and contacts in the URL)`,
      tried: routes().length,
      expected:
        '404 for the owner’s consultation, messages and notification; 403 for the admin routes and for password change / erasure with a guessed password; 200/201/204 with only the caller’s own data or sessions elsewhere; owner’s data and session unchanged',
      seen:
        failures.length === 0
          ? `${statuses.join('; ')}; no leaks; owner’s notifications and consultation unchanged: ${unchanged}`
          : `FAILED: ${failures.join(' | ')}`,
      ok: failures.length === 0 && unchanged && control,
    });
    expect(failures).toEqual([]);
    expect(unchanged).toBe(true);
    expect(control).toBe(true);
  });

  /** The three endpoints as a bad token sees them. */
  const endpoints = () => [
    { name: 'chat', url: chatUrl(server, consultationId) },
    { name: 'notifications', url: notificationsUrl(server) },
    { name: 'presence', url: presenceUrl(server) },
  ];

  it('WebSocket: 3 endpoints × every bad token (in ?token= and in the Authorization header) → one unauthorized error frame, close 4401', async () => {
    const failures: string[] = [];
    let tried = 0;
    for (const endpoint of endpoints()) {
      for (const { kind, token } of badTokens) {
        const carriers = token === undefined ? ['none'] : ['query', 'header'];
        for (const carrier of carriers) {
          tried++;
          const socket = await connect(endpoint.url, {
            token: carrier === 'query' ? token : undefined,
            headers: carrier === 'header' ? { authorization: `Bearer ${token}` } : undefined,
          });
          const closed = await withTimeout(socket.closed, 5000, `${endpoint.name} ${kind}`);
          const frames = JSON.stringify(socket.frames);
          const ok =
            closed.code === 4401 &&
            socket.frames.length === 1 &&
            socket.frames[0].type === 'error' &&
            socket.frames[0].code === 'unauthorized' &&
            leaks(frames, '').length === 0;
          if (!ok) failures.push(`${endpoint.name} ${kind} (${carrier}): close ${closed.code} ${frames}`);
        }
      }
    }
    recorder.record({
      area: 'Authorization',
      attack: `WebSocket: /ws/chat/{id}/, /ws/notifications/, /ws/presence/ × {${badTokens.map((t) => t.kind).join(', ')}} × {?token=, Authorization header}`,
      tried,
      expected: 'exactly one error frame {code: unauthorized}, then close 4401; nothing else',
      seen:
        failures.length === 0
          ? `${tried}/${tried} refused with unauthorized + 4401`
          : `FAILED ${failures.length}: ${failures.slice(0, 3).join(' | ')}`,
      ok: failures.length === 0,
    });
    expect(failures).toEqual([]);
  });

  it('WebSocket: a valid token of another user → 4403 on the chat, only its own notifications and presence', async () => {
    const refused = await connect(chatUrl(server, consultationId), { token: carol.token });
    const closed = await withTimeout(refused.closed, 5000, 'chat refusal');
    const chatOk =
      closed.code === 4403 &&
      refused.frames.length === 1 &&
      refused.frames[0].type === 'error' &&
      refused.frames[0].code === 'forbidden';

    const { socket: carolNotes, count } = await openNotifications(server, carol);
    const { socket: carolPresence, users } = await openPresence(server, carol);
    const [aliceNotes] = aliceSockets.slice(2);
    const before = aliceNotes.frames.length;
    // Things happen to Alice and Bob: a notification, Bob going offline and online again.
    await adminNotify(server, admin, alice.id, { title: 'for alice only' });
    await aliceNotes.next('notification');
    await aliceSockets[1].close();
    aliceSockets[1] = (await openPresence(server, bob)).socket;
    // Markers sent after all that, on the same paths: a ping on Carol's notifications socket, and
    // her own contact coming online, which she does hear about. Whatever about Alice or Bob was on
    // its way to her came before them.
    carolNotes.send({ type: 'ping' });
    await carolNotes.next('pong');
    const contactSocket = (await openNotifications(server, carolsContact)).socket;
    const isMarker = (frame: ServerFrame) =>
      frame.type === 'pong' || (frame.type === 'user_online' && frame.user_id === carolsContact.id);
    await waitFor('Carol hears her own contact come online', () => carolPresence.frames.some(isMarker));
    await contactSocket.close();
    const carolSaw = [...carolNotes.frames.slice(2), ...carolPresence.frames.slice(2)].filter(
      (frame) => !isMarker(frame),
    );
    const notesOk = count === 0 && carolSaw.length === 0 && aliceNotes.frames.length > before;
    const presenceOk = users.every((u) => u.user_id !== alice.id && u.user_id !== bob.id);
    const leaked = leaks(JSON.stringify([...carolNotes.frames, ...carolPresence.frames, ...refused.frames]), '');

    // In-band renewal with every bad token, and with Alice's genuine one, on Carol's socket.
    const renewals = [
      ...badTokens.filter((t) => t.token !== undefined),
      { kind: 'another user’s valid token', token: alice.token },
    ];
    let renewalFailures = 0;
    for (const { token } of renewals) {
      carolNotes.send({ type: 'auth', token });
      const answer = await carolNotes.next(undefined, 5000);
      if (answer.type !== 'error' || answer.code !== 'unauthorized') renewalFailures++;
    }
    carolNotes.send({ type: 'mark_read', notification_id: notificationId });
    const markAnswer = await carolNotes.next(undefined, 5000);
    const markOk = markAnswer.type === 'error' && markAnswer.code === 'not_found';
    const aliceUnreadIntact =
      (await http(server.httpUrl, 'GET', '/api/notifications/unread-count', { token: alice.token })).body?.count === 2;

    recorder.record({
      area: 'Authorization',
      attack:
        'WebSocket: valid token of an unrelated user on the owner’s chat, on notifications and presence while the owner is active; in-band auth renewal with every bad token and with the owner’s token; mark_read of the owner’s notification',
      tried: 3 + renewals.length + 1,
      expected:
        'chat: forbidden + 4403; notifications/presence: only the caller’s own (0 unread, no contacts, nothing when the owner is notified or goes offline/online); renewals: unauthorized, connection unchanged; mark_read: not_found, owner’s notification still unread',
      seen: `chat close ${closed.code} ${refused.frames[0]?.type === 'error' ? refused.frames[0].code : '?'}; caller saw ${carolSaw.length} frames about others, ${users.length} contacts online; renewals refused ${renewals.length - renewalFailures}/${renewals.length}; mark_read ${markAnswer.type === 'error' ? markAnswer.code : markAnswer.type}; owner’s unread intact: ${aliceUnreadIntact}; leaks ${leaked.length}`,
      ok:
        chatOk && notesOk && presenceOk && renewalFailures === 0 && markOk && aliceUnreadIntact && leaked.length === 0,
    });
    expect(chatOk).toBe(true);
    expect(notesOk).toBe(true);
    expect(presenceOk).toBe(true);
    expect(renewalFailures).toBe(0);
    expect(markOk).toBe(true);
    expect(aliceUnreadIntact).toBe(true);
    expect(leaked).toEqual([]);
    await closeAll(carolNotes, carolPresence);
  });
});
