import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NotificationEntity, NotificationPreferencesEntity } from '@numerai/notifications';
import { ReadingEntity } from '@numerai/readings';
import { RefreshTokenEntity } from '@numerai/auth';
import { UserEntity } from '@numerai/users';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import {
  decodeClaims,
  ENGINE,
  expectAuthResult,
  expectError,
  mintToken,
  noteSkippedPostgres,
  sidOf,
} from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { connect } from '../support/ws-client';
import {
  adminNotify,
  chatUrl,
  closeAll,
  createAdmin,
  errorFrame,
  expectRefused,
  history,
  openChat,
  openNotifications,
  openPresence,
  say,
} from '../ws/helpers';
import { expectServed, expectSessionEnded, meStatus, newSession } from '../ws/session-helpers';

noteSkippedPostgres('sessions');

/**
 * Issue 17, "Sessions": refresh tokens that rotate, sessions that end at once on REST and
 * on live sockets (logout, logout-all, password change, erasure, admin block), and the
 * account export. Cross-instance revocation is in test/scale-out/sessions.e2e-spec.ts.
 */
describe(`sessions (${ENGINE})`, () => {
  let server: TestServer;
  const post = (path: string, token: string | undefined, body?: unknown) =>
    http(server.httpUrl, 'POST', path, { token, body });
  const refresh = (refreshToken: unknown) => post('/api/auth/refresh', undefined, { refresh_token: refreshToken });
  const login = (user: TestUser, password = user.password) =>
    post('/api/auth/login', undefined, { email: user.email, password });
  /** Moves a spent token's spend far into the past (rather than waiting out REFRESH_TOKEN_REUSE_GRACE_MS). */
  const spentLongAgo = (refreshToken: string) =>
    server.app
      .get(DataSource)
      .getRepository(RefreshTokenEntity)
      .update({ tokenHash: createHash('sha256').update(refreshToken).digest('hex') }, { spentAt: new Date(0) });

  beforeAll(async () => {
    // A short presence grace, so "an erased user goes offline" is seen without a long wait.
    server = await startTestServer({ PRESENCE_GRACE_MS: '200' });
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('POST /api/auth/refresh', () => {
    it('answers like login with a new refresh token; the access token keeps the session id', async () => {
      const user = await createUser(server);
      const res = await refresh(user.refreshToken);
      expect(res.status).toBe(200);
      expectAuthResult(res.body);
      expect(res.body.user.id).toBe(user.id);
      expect(res.body.refresh_token).not.toBe(user.refreshToken);
      expect(sidOf(res.body.access_token)).toBe(sidOf(user.token));
      expect(await meStatus(server, res.body.access_token)).toBe(200);
      // Rotating: the successor works in turn.
      const again = await refresh(res.body.refresh_token);
      expect(again.status).toBe(200);
      expect(again.body.refresh_token).not.toBe(res.body.refresh_token);
    });

    it('a spent refresh token presented again ends the whole session: every token of it stops working', async () => {
      const user = await createUser(server);
      const other = await newSession(server, user);
      const rotated = await refresh(user.refreshToken);
      expect(rotated.status).toBe(200);
      const chat = await openNotifications(server, { ...user, token: rotated.body.access_token });
      await spentLongAgo(user.refreshToken);

      // The thief (or the victim) replays the spent token past the grace: refused, and the family is revoked.
      expectError(await refresh(user.refreshToken), 401, 'refresh token');
      expectError(await refresh(rotated.body.refresh_token), 401);
      expect(await meStatus(server, rotated.body.access_token)).toBe(401);
      expect(await meStatus(server, user.token)).toBe(401);
      await expectSessionEnded(chat.socket);
      // Another session of the same user is not the stolen one's family.
      expect(await meStatus(server, other.token)).toBe(200);
      expect((await refresh(other.refreshToken)).status).toBe(200);
    });

    it('two refreshes racing with one token both get the same successor; the session lives on', async () => {
      const user = await createUser(server);
      const answers = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      for (const res of answers) expectAuthResult(res.body);
      expect(answers[0].body.refresh_token).toBe(answers[1].body.refresh_token);
      for (const res of answers) expect(await meStatus(server, res.body.access_token)).toBe(200);
      expect(await meStatus(server, user.token)).toBe(200);
      // A retry within REFRESH_TOKEN_REUSE_GRACE_MS (an answer lost on the way) gets it once more.
      expect((await refresh(user.refreshToken)).body.refresh_token).toBe(answers[0].body.refresh_token);
      const next = await refresh(answers[0].body.refresh_token);
      expect(next.status).toBe(200);
      expect(sidOf(next.body.access_token)).toBe(sidOf(user.token));
    });

    it('lives REFRESH_TOKEN_EXPIRES_IN (30 days by default), stored only as its hash; past that it is 401', async () => {
      const user = await createUser(server);
      const tokens = server.app.get(DataSource).getRepository(RefreshTokenEntity);
      const stored = await tokens.findOneByOrFail({
        tokenHash: createHash('sha256').update(user.refreshToken).digest('hex'),
      });
      const days = (stored.expiresAt.getTime() - stored.createdAt.getTime()) / 86_400_000;
      expect(days).toBeCloseTo(30, 3);
      const everything = JSON.stringify(await tokens.find());
      expect(everything).not.toContain(user.refreshToken);

      // Its lifetime over (moved into the past rather than waited for):
      await tokens.update({ tokenHash: stored.tokenHash }, { expiresAt: new Date(Date.now() - 1000) });
      expectError(await refresh(user.refreshToken), 401);
      // Expired tokens of a session are pruned at its next rotation: the table does not grow without end.
      const other = await newSession(server, user);
      const { sessionId } = await tokens.findOneByOrFail({
        tokenHash: createHash('sha256').update(other.refreshToken).digest('hex'),
      });
      const past = new Date(Date.now() - 1000);
      const lapsed = 'f'.repeat(64);
      await tokens.insert({ tokenHash: lapsed, sessionId, createdAt: past, expiresAt: past, spentAt: past });
      expect((await refresh(other.refreshToken)).status).toBe(200);
      expect(await tokens.findOneBy({ tokenHash: lapsed })).toBeNull();
      expect(await tokens.countBy({ sessionId })).toBe(2); // the one just spent (kept for reuse detection) and its successor
      // An expired refresh token is not a stolen one: the session itself goes on until the access token lapses.
      expect(await meStatus(server, user.token)).toBe(200);
    });

    it('400 without a refresh_token, 401 for an unknown one, and an access token is not a refresh token', async () => {
      const user = await createUser(server);
      expectError(await post('/api/auth/refresh', undefined, {}), 400, 'refresh_token');
      expectError(await refresh(12345), 400, 'refresh_token');
      expectError(await refresh('x'.repeat(43)), 401);
      expectError(await refresh(user.token), 400, 'refresh_token');
    });
  });

  describe('access tokens carry the session', () => {
    it('a well-signed token without sid, or with an unknown or another user’s sid, is 401 and refused on connect', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const noSid = mintToken({ sub: client.id, name: client.name });
      const unknownSid = mintToken({ sub: client.id, name: client.name, sid: randomUUID() });
      const othersSid = mintToken({ sub: client.id, name: client.name, sid: sidOf(numerologist.token) });
      for (const token of [noSid, unknownSid, othersSid]) {
        expectError(await http(server.httpUrl, 'GET', '/api/users/me', { token }), 401);
        await expectRefused(chatUrl(server, consultation.id), { token }, 4401, 'unauthorized');
      }
      expect(decodeClaims(client.token).sid).toEqual(expect.any(String));
    });
  });

  describe('POST /api/auth/logout', () => {
    it('204; this session’s tokens stop working and its sockets close with 4401; other sessions go on', async () => {
      const { consultation, client } = await createConsultation(server);
      const laptop = await newSession(server, client);
      const phoneChat = await openChat(server, consultation.id, client);
      const phonePresence = await openPresence(server, client);
      const laptopChat = await openChat(server, consultation.id, laptop);

      const res = await post('/api/auth/logout', client.token, {});
      expect(res.status).toBe(204);
      await expectSessionEnded(phoneChat);
      await expectSessionEnded(phonePresence.socket);
      expect(await meStatus(server, client.token)).toBe(401);
      expectError(await refresh(client.refreshToken), 401);
      // Connect attempts with the ended session are refused, in-band auth with it too.
      await expectRefused(chatUrl(server, consultation.id), { token: client.token }, 4401, 'unauthorized');
      laptopChat.send({ type: 'auth', token: client.token });
      expect(await laptopChat.next('error')).toEqual(errorFrame('unauthorized'));

      await expectServed(laptopChat);
      expect(await meStatus(server, laptop.token)).toBe(200);
      await closeAll(laptopChat);
    });

    it('with the refresh_token of another of the caller’s sessions, ends that one too; someone else’s is left alone', async () => {
      const user = await createUser(server);
      const second = await newSession(server, user);
      const stranger = await createUser(server);
      expect((await post('/api/auth/logout', user.token, { refresh_token: second.refreshToken })).status).toBe(204);
      expect(await meStatus(server, second.token)).toBe(401);

      const third = await newSession(server, user);
      expect((await post('/api/auth/logout', third.token, { refresh_token: stranger.refreshToken })).status).toBe(204);
      expect(await meStatus(server, stranger.token)).toBe(200);
    });

    it('401 without a token', async () => {
      expectError(await post('/api/auth/logout', undefined, {}), 401);
    });
  });

  describe('POST /api/auth/logout-all', () => {
    it('204; every session of the caller ends, every socket closes; another user is untouched', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const second = await newSession(server, client);
      const sockets = [
        await openChat(server, consultation.id, client),
        (await openNotifications(server, second)).socket,
      ];
      const theirs = await openChat(server, consultation.id, numerologist);

      expect((await post('/api/auth/logout-all', second.token)).status).toBe(204);
      for (const socket of sockets) await expectSessionEnded(socket);
      expect(await meStatus(server, client.token)).toBe(401);
      expect(await meStatus(server, second.token)).toBe(401);
      expectError(await refresh(second.refreshToken), 401);
      await expectServed(theirs);
      // A new login is a new session and works.
      expect(await meStatus(server, (await newSession(server, client)).token)).toBe(200);
      await closeAll(theirs);
    });
  });

  describe('POST /api/auth/password', () => {
    it('204; the current session (and its socket) lives on, every other ends; the old password stops working', async () => {
      const { consultation, client } = await createConsultation(server);
      const stolen = await newSession(server, client);
      const mine = await openChat(server, consultation.id, client);
      const thief = await openChat(server, consultation.id, stolen);

      const res = await post('/api/auth/password', client.token, {
        current_password: client.password,
        new_password: 'a brand new passphrase',
      });
      expect(res.status).toBe(204);
      await expectSessionEnded(thief);
      expect(await meStatus(server, stolen.token)).toBe(401);
      expectError(await refresh(stolen.refreshToken), 401);

      await expectServed(mine);
      expect(await meStatus(server, client.token)).toBe(200);
      expect((await refresh(client.refreshToken)).status).toBe(200);
      expectError(await login(client), 401);
      expect((await login(client, 'a brand new passphrase')).status).toBe(200);
      await closeAll(mine);
    });

    it('403 for a wrong current password (nothing ends), 400 for a short new one', async () => {
      const user = await createUser(server);
      const other = await newSession(server, user);
      expectError(
        await post('/api/auth/password', user.token, { current_password: 'wrong wrong', new_password: 'whatever123' }),
        403,
        'current_password',
      );
      expectError(
        await post('/api/auth/password', user.token, { current_password: user.password, new_password: 'short' }),
        400,
        'new_password',
      );
      expect(await meStatus(server, other.token)).toBe(200);
      expect((await login(user)).status).toBe(200);
    });
  });

  describe('DELETE /api/users/me', () => {
    it('erases the account: its open socket is closed at once, it cannot log in, the other participant keeps the history from "Deleted user"', async () => {
      const { consultation, client, numerologist } = await createConsultation(server, { status: 'active' });
      const admin = await createAdmin(server);
      await adminNotify(server, admin, client.id, { title: 'private title' });
      const clientChat = await openChat(server, consultation.id, client);
      const numerologistChat = await openChat(server, consultation.id, numerologist);
      const watcher = await openPresence(server, numerologist);
      expect(watcher.users.map((u) => u.user_id)).toContain(client.id);
      const sent = await say(clientChat, 'my private question');
      await numerologistChat.next('chat_message');
      const profile = { birth_date: '1990-05-17', birth_name: 'Private Birth Name', time_zone: 'Europe/Berlin' };
      expect(
        (await http(server.httpUrl, 'PATCH', '/api/users/me', { token: client.token, body: profile })).status,
      ).toBe(200);
      expect((await http(server.httpUrl, 'GET', '/api/readings/today', { token: client.token })).status).toBe(200);
      const off = { types: { daily_reading: { in_app: false, push: false } } };
      expect(
        (await http(server.httpUrl, 'PUT', '/api/notifications/preferences', { token: client.token, body: off }))
          .status,
      ).toBe(200);

      expectError(
        await http(server.httpUrl, 'DELETE', '/api/users/me', { token: client.token, body: {} }),
        400,
        'password',
      );
      expectError(
        await http(server.httpUrl, 'DELETE', '/api/users/me', { token: client.token, body: { password: 'not it!!' } }),
        403,
      );
      const res = await http(server.httpUrl, 'DELETE', '/api/users/me', {
        token: client.token,
        body: { password: client.password },
      });
      expect(res.status).toBe(204);

      // Today the socket kept chatting (and the user kept showing online): now one error frame, then 4401.
      await expectSessionEnded(clientChat);
      expect(await watcher.socket.next('user_offline')).toMatchObject({ user_id: client.id });
      expect(await meStatus(server, client.token)).toBe(401);
      expectError(await login(client), 401);
      expectError(await refresh(client.refreshToken), 401);
      await expectRefused(chatUrl(server, consultation.id), { token: client.token }, 4401, 'unauthorized');

      // The policy: the message stays for the other participant, its sender anonymised.
      const kept = (await history(server, numerologist, consultation.id)).find((m) => m.id === sent.id);
      expect(kept).toMatchObject({ sender_id: client.id, sender_name: 'Deleted user', content: 'my private question' });
      const dataSource = server.app.get(DataSource);
      const stored = await dataSource.getRepository(UserEntity).findOneByOrFail({ id: client.id });
      expect(stored).toMatchObject({
        email: `deleted-${client.id}@deleted.invalid`,
        fullName: 'Deleted user',
        passwordHash: '',
        birthDate: null,
        birthName: null,
        timeZone: null,
        deletedAt: expect.any(Date),
      });
      expect(await dataSource.getRepository(NotificationEntity).countBy({ userId: client.id })).toBe(0);
      expect(await dataSource.getRepository(ReadingEntity).countBy({ userId: client.id })).toBe(0);
      expect(await dataSource.getRepository(NotificationPreferencesEntity).countBy({ userId: client.id })).toBe(0);
      // The address is free again: its owner may register anew.
      const again = await post('/api/auth/register', undefined, {
        email: client.email,
        password: client.password,
        full_name: 'Back Again',
      });
      expect(again.status).toBe(201);
      expect(again.body.user.id).not.toBe(client.id);
      await expectServed(numerologistChat);
      await closeAll(numerologistChat, watcher.socket);
    });
  });

  describe('GET /api/users/me/export', () => {
    it('everything stored about the caller, never a hash or a token', async () => {
      const { consultation, client, numerologist } = await createConsultation(server);
      const admin = await createAdmin(server);
      const note = await adminNotify(server, admin, client.id, { title: 'for the export' });
      const clientChat = await openChat(server, consultation.id, client);
      const numerologistChat = await openChat(server, consultation.id, numerologist);
      const mine = await say(clientChat, 'a message of mine');
      const theirs = await say(numerologistChat, 'a message of theirs');
      await clientChat.next('chat_message');
      clientChat.send({ type: 'read_receipt', message_id: theirs.id });
      await numerologistChat.next('read_receipt');
      const second = await newSession(server, client);
      await post('/api/auth/logout', second.token);
      await http(server.httpUrl, 'PATCH', '/api/users/me', { token: client.token, body: { birth_date: '1990-05-17' } });
      const reading = await http(server.httpUrl, 'GET', '/api/readings/today', { token: client.token });
      const off = { types: { daily_reading: { in_app: false, push: false } } };
      await http(server.httpUrl, 'PUT', '/api/notifications/preferences', { token: client.token, body: off });

      const res = await http(server.httpUrl, 'GET', '/api/users/me/export', { token: client.token });
      expect(res.status).toBe(200);
      const body = res.body;
      expect(Object.keys(body).sort()).toEqual([
        'blocks',
        'consultations',
        'exported_at',
        'live_sessions',
        'messages',
        'notification_preferences',
        'notifications',
        'profile',
        'push_subscriptions',
        'read_markers',
        'readings',
        'sessions',
        'wallet',
      ]);
      expect(body.profile).toMatchObject({ birth_date: '1990-05-17' });
      expect(body.readings).toEqual([expect.objectContaining({ id: reading.body.id, date: reading.body.date })]);
      expect(body.notification_preferences).toEqual(off.types);
      expect(body.profile).toMatchObject({
        id: client.id,
        email: client.email,
        full_name: client.name,
        blocked_at: null,
      });
      expect(body.consultations).toEqual([expect.objectContaining({ id: consultation.id, user_id: client.id })]);
      // What they wrote, and the booking's system message, which is theirs too (they booked).
      expect(body.messages).toEqual([
        expect.objectContaining({
          consultation_id: consultation.id,
          message_type: 'system',
          event: 'consultation_booked',
        }),
        expect.objectContaining({ id: mine.id, consultation_id: consultation.id, content: 'a message of mine' }),
      ]);
      expect(body.notifications).toEqual([expect.objectContaining({ id: note.id, title: 'for the export' })]);
      expect(body.read_markers).toEqual([
        expect.objectContaining({ consultation_id: consultation.id, last_read_message_id: theirs.id }),
      ]);
      expect(body.sessions).toHaveLength(2);
      expect(body.sessions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: sidOf(client.token), revoked_at: null }),
          expect.objectContaining({ id: sidOf(second.token), revoked_reason: 'logout' }),
        ]),
      );
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/hash|argon2|password/i);
      expect(text).not.toContain(client.refreshToken);
      expect(text).not.toContain('a message of theirs');
      await closeAll(clientChat, numerologistChat);
    });
  });

  describe('admin: block, unblock, end sessions', () => {
    let admin: TestUser;
    beforeAll(async () => {
      admin = await createAdmin(server);
    });

    it('block ends every session and closes the sockets; login and refresh answer 403, connect 4401; unblock lets them back', async () => {
      const { consultation, client } = await createConsultation(server);
      const chat = await openChat(server, consultation.id, client);
      expectError(await post(`/api/admin/users/${client.id}/block`, client.token), 403);
      await expectServed(chat);

      expect((await post(`/api/admin/users/${client.id}/block`, admin.token)).status).toBe(204);
      await expectSessionEnded(chat);
      expect(await meStatus(server, client.token)).toBe(401);
      expectError(await login(client), 403, 'blocked');
      expectError(await refresh(client.refreshToken), 403, 'blocked');
      await expectRefused(chatUrl(server, consultation.id), { token: client.token }, 4401, 'unauthorized');
      // A wrong password still says only "invalid": being blocked is told to the account's owner alone.
      expectError(await login(client, 'not the password'), 401);

      expect((await post(`/api/admin/users/${client.id}/unblock`, admin.token)).status).toBe(204);
      const back = await login(client);
      expect(back.status).toBe(200);
      const reopened = await connect(chatUrl(server, consultation.id), { token: back.body.access_token });
      expect(await reopened.next()).toMatchObject({ type: 'connection_established' });
      await closeAll(reopened);
    });

    it('sessions/revoke ends every session of the user, who may log in again', async () => {
      const user = await createUser(server);
      const { socket } = await openNotifications(server, user);
      expectError(await post(`/api/admin/users/${user.id}/sessions/revoke`, user.token), 403);
      expect((await post(`/api/admin/users/${user.id}/sessions/revoke`, admin.token)).status).toBe(204);
      await expectSessionEnded(socket);
      expect(await meStatus(server, user.token)).toBe(401);
      expect((await login(user)).status).toBe(200);
    });

    it('404 for an unknown user, 400 for a malformed id or the admin’s own account', async () => {
      expectError(await post(`/api/admin/users/${randomUUID()}/block`, admin.token), 404);
      expectError(await post('/api/admin/users/not-a-uuid/block', admin.token), 400);
      expectError(await post(`/api/admin/users/${admin.id}/block`, admin.token), 400);
      expect(await meStatus(server, admin.token)).toBe(200);
    });
  });

  describe('password guessing with a stolen access token', () => {
    it('password change and erasure spend the AUTH_RATE_LIMIT_PER_MINUTE budget of the user: 429 after it', async () => {
      const limited = await startTestServer({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
      try {
        const user = await createUser(limited);
        const guess = (password: string) =>
          http(limited.httpUrl, 'DELETE', '/api/users/me', { token: user.token, body: { password } });
        const change = (current: string) =>
          http(limited.httpUrl, 'POST', '/api/auth/password', {
            token: user.token,
            body: { current_password: current, new_password: 'another passphrase' },
          });
        const answers = [(await guess('guess one')).status, (await change('guess two')).status];
        answers.push((await guess('guess three')).status, (await change(user.password)).status);
        expect(answers).toEqual([403, 403, 403, 429]);
        // The ordinary per-user budget is not the one spent: other routes still answer.
        expect(await meStatus(limited, user.token)).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });
});
