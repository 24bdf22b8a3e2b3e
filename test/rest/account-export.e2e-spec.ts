import { MessageWriter } from '@numerai/chat';
import { NotificationsService } from '@numerai/notifications';
import { EXPORT_BATCH } from '@numerai/account';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, noteSkippedPostgres, sidOf } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';

noteSkippedPostgres('account export');

type Row = Record<string, unknown> & { id: string };

/**
 * Issue 23: `GET /api/users/me/export` is streamed page by page (bounded memory, see
 * bench/export-memory.ts for the figures). The document must stay what it was: checked here
 * against what the rest of the REST API says about the same user, for a history long enough
 * that every large table spans several pages.
 */
describe(`account export, streamed (${ENGINE})`, () => {
  let server: TestServer;
  const get = (user: TestUser, path: string) => http(server.httpUrl, 'GET', path, { token: user.token });

  beforeAll(async () => {
    // The check below reads the whole history through the REST API, page by page.
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000' });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Every page of a newest-first list, oldest first. */
  async function everything(user: TestUser, path: string): Promise<Row[]> {
    const rows: Row[] = [];
    for (let before: string | null = null; ;) {
      const separator = path.includes('?') ? '&' : '?';
      const res = await get(user, `${path}${separator}limit=100${before ? `&before=${before}` : ''}`);
      expect(res.status).toBe(200);
      rows.push(...(res.body.items as Row[]));
      before = res.body.next_before;
      if (!before) return rows.reverse();
    }
  }

  /** `count` messages stored the way chat stores them; every `theirsEvery`-th one from `other`. */
  async function chatter(consultationId: string, mine: TestUser, other: TestUser, count: number, theirsEvery = 7) {
    const writer = server.app.get(MessageWriter);
    for (let start = 0; start < count; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - start) }, (_, k) => {
          const i = start + k;
          const sender = i % theirsEvery === 0 ? other : mine;
          return writer.store({
            consultationId,
            senderId: sender.id,
            content: `message ${i} ✨ "quoted"`,
            clientId: null,
          });
        }),
      );
    }
  }

  it('the same document as before, for a history of several pages per table, sent as it is read', async () => {
    const client = await createUser(server);
    const first = await createConsultation(server, { client, status: 'completed' });
    const second = await createConsultation(server, { client, status: 'active' });
    await chatter(first.consultation.id, client, first.numerologist, 2 * EXPORT_BATCH + 37);
    await chatter(second.consultation.id, client, second.numerologist, EXPORT_BATCH + 3);
    const notifications = server.app.get(NotificationsService);
    for (let i = 0; i < EXPORT_BATCH + 20; i++) {
      await notifications.notify(client.id, { title: `note ${i}`, message: 'm', notification_type: 'system' });
    }
    await http(server.httpUrl, 'PATCH', '/api/users/me', { token: client.token, body: { birth_date: '1990-05-17' } });
    const reading = await get(client, '/api/readings/today');

    // Read as a stream: the body arrives in chunks, with no length announced up front.
    const response = await fetch(`${server.httpUrl}/api/users/me/export`, {
      headers: { authorization: `Bearer ${client.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const text = await response.text();
    const body = JSON.parse(text);

    expect(Object.keys(body)).toEqual([
      'exported_at',
      'profile',
      'consultations',
      'messages',
      'notifications',
      'read_markers',
      'sessions',
      'readings',
      'notification_preferences',
      'push_subscriptions',
      'blocks',
      'wallet',
      'live_sessions',
    ]);
    expect(Date.parse(body.exported_at)).not.toBeNaN();
    expect(body.profile).toEqual({ ...(await get(client, '/api/users/me')).body, blocked_at: null });

    const consultations = await everything(client, '/api/consultations');
    expect(body.consultations).toEqual(consultations.map(({ unread_count: _unread, ...view }) => view));
    expect(consultations.map((c) => c.id)).toEqual([first.consultation.id, second.consultation.id]);

    // Messages they sent (text and the lifecycle steps they caused), by consultation, in chat order.
    const sent: Row[] = [];
    for (const consultation of consultations) {
      const history = await everything(client, `/api/consultations/${consultation.id}/messages`);
      for (const message of history) {
        if (message.sender_id === client.id) sent.push({ consultation_id: consultation.id, ...message });
      }
    }
    expect(sent.length).toBeGreaterThan(2 * EXPORT_BATCH);
    expect(body.messages).toEqual(sent);

    const inbox = await everything(client, '/api/notifications');
    expect(inbox.length).toBeGreaterThan(EXPORT_BATCH);
    expect(body.notifications).toEqual(inbox.map((notification) => ({ ...notification, read_at: null })));

    expect(body.read_markers).toEqual([]);
    expect(body.sessions).toEqual([
      {
        id: sidOf(client.token),
        created_at: expect.any(String),
        refreshed_at: expect.any(String),
        revoked_at: null,
        revoked_reason: null,
      },
    ]);
    expect(body.readings).toEqual([reading.body]);
    // The stored map: what the factory switched off (GET fills in the defaults, every other type on).
    const types: Record<string, { in_app: boolean; push: boolean }> = (
      await get(client, '/api/notifications/preferences')
    ).body.types;
    const switchedOff = Object.entries(types).filter(([, channels]) => !channels.in_app || !channels.push);
    expect(switchedOff.length).toBeGreaterThan(0);
    expect(body.notification_preferences).toEqual(Object.fromEntries(switchedOff));
    expect(body.push_subscriptions).toEqual([]);
    expect(body.wallet).toEqual({ currency: 'USD', balance: 0, entries: [] });
    expect(body.live_sessions).toEqual({ as_client: [], as_numerologist: [] });
  });

  it('an empty history is a complete document too', async () => {
    const loner = await createUser(server);
    const res = await get(loner, '/api/users/me/export');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      consultations: [],
      messages: [],
      notifications: [],
      read_markers: [],
      readings: [],
      notification_preferences: {},
      push_subscriptions: [],
    });
  });
});
