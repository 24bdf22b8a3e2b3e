import { DataSource } from 'typeorm';
import { UserEntity } from '@numerai/users';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { testClient } from '@numerai/testing';

let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await startTestServer();
  admin = await createUser(server);
  await server.app.get(DataSource).getRepository(UserEntity).update({ id: admin.id }, { role: 'admin' });
});
afterAll(() => server.close());

const body = (user_ids: string[]) => ({
  user_ids,
  title: 'Daily Reading Ready',
  message: 'Your daily reading is available',
  notification_type: 'daily_reading',
});

test('one request notifies many users: connected ones at once, the others on their next connect', async () => {
  const online = await Promise.all([createUser(server), createUser(server), createUser(server)]);
  const offline = await createUser(server);
  const sockets = await Promise.all(
    online.map(async (user) => {
      const socket = await testClient(server).notifications(user);
      expect(await socket.next('unread_count')).toEqual({ type: 'unread_count', count: 0 });
      return socket;
    }),
  );
  const unknown = '01900000-0000-7000-8000-000000000000';
  const res = await http(server.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
    token: admin.token,
    body: body([...online.map((u) => u.id), offline.id, unknown, online[0].id]),
  });
  expect(res).toMatchObject({ status: 201, body: { count: 4 } });

  const ids = new Set<string>();
  for (const socket of sockets) {
    const frame = await socket.next('notification');
    expect(frame.data).toMatchObject({
      title: 'Daily Reading Ready',
      notification_type: 'daily_reading',
      is_read: false,
    });
    ids.add(frame.data.id);
    expect(await socket.next('unread_count')).toEqual({ type: 'unread_count', count: 1 });
    await socket.expectSilence('notification');
  }
  expect(ids.size).toBe(3);

  const late = await testClient(server).notifications(offline);
  expect(await late.next('unread_count')).toEqual({ type: 'unread_count', count: 1 });
  await Promise.all([...sockets, late].map((socket) => socket.close()));
});

test('a broadcast to 10,000 ids fits in one request; unknown ids are skipped', async () => {
  const user = await createUser(server);
  const ids = Array.from({ length: 9_999 }, (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, '0')}`);
  const res = await http(server.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
    token: admin.token,
    body: body([user.id, ...ids]),
  });
  expect(res).toMatchObject({ status: 201, body: { count: 1 } });
});

test('admins only, and the body is validated', async () => {
  const user = await createUser(server);
  expect(
    (
      await http(server.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
        token: user.token,
        body: body([user.id]),
      })
    ).status,
  ).toBe(403);
  const bad = await http(server.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
    token: admin.token,
    body: body(['not-a-uuid']),
  });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body.message)).toContain('user_ids');
  const empty = await http(server.httpUrl, 'POST', '/api/admin/notifications/broadcast', {
    token: admin.token,
    body: body([]),
  });
  expect(empty.status).toBe(400);
});
