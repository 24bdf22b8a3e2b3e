import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createConsultation, createUser } from '../support/factories';
import { ENGINE, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { adminNotify, closeAll, createAdmin, openChat, say } from '../ws/helpers';

noteSkippedPostgres('foreign keys');

/**
 * Issue 17: every reference of the data model is a foreign key, on both engines and on every
 * connection (on SQLite that includes the chat writer thread's own connection), so a deleted
 * row cannot leave orphans and a row cannot point at nothing.
 */
describe(`foreign keys (${ENGINE})`, () => {
  let server: TestServer;
  let db: DataSource;
  const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);
  const p = (n: number) => (ENGINE === 'postgres' ? `$${n}` : '?');

  beforeAll(async () => {
    server = await startTestServer();
    db = server.app.get(DataSource);
  });
  afterAll(() => server?.close());

  it('rows pointing at nothing are refused: a consultation of no user, a message of no consultation, a notification of no user', async () => {
    const user = await createUser(server);
    const now = new Date();
    // One at a time: started together, a refusal could land before its `expect` is attached
    // and count as an unhandled rejection.
    const attempts = [
      () =>
        db.query(
          `INSERT INTO consultations (id, user_id, numerologist_id, status, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, 'scheduled', ${p(4)})`,
          [randomUUID(), user.id, randomUUID(), now.toISOString()],
        ),
      () =>
        db.query(
          `INSERT INTO chat_messages (id, consultation_id, sender_id, seq, content, message_type, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, 1, 'x', 'text', ${p(4)})`,
          [randomUUID(), randomUUID(), user.id, now.toISOString()],
        ),
      () =>
        db.query(
          `INSERT INTO notifications (id, user_id, seq, title, message, notification_type, is_read, created_at) VALUES (${p(1)}, ${p(2)}, 1, 't', 'm', 'x', false, ${p(3)})`,
          [randomUUID(), randomUUID(), now.toISOString()],
        ),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toThrow(/foreign key/i);
  });

  it('a consultation deleted takes its messages and read markers with it', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const chat = await openChat(server, consultation.id, client);
    const other = await openChat(server, consultation.id, numerologist);
    const stored = await say(chat, 'hello');
    other.send({ type: 'read_receipt', message_id: stored.id });
    await chat.next('read_receipt');
    await closeAll(chat, other);
    expect(
      await count(`SELECT COUNT(*) AS n FROM chat_read_markers WHERE consultation_id = ${p(1)}`, [consultation.id]),
    ).toBe(1);

    await db.query(`DELETE FROM consultations WHERE id = ${p(1)}`, [consultation.id]);
    expect(
      await count(`SELECT COUNT(*) AS n FROM chat_messages WHERE consultation_id = ${p(1)}`, [consultation.id]),
    ).toBe(0);
    expect(
      await count(`SELECT COUNT(*) AS n FROM chat_read_markers WHERE consultation_id = ${p(1)}`, [consultation.id]),
    ).toBe(0);
  });

  it('the chat writer refuses a message for a consultation deleted under an open socket (its own connection enforces keys too)', async () => {
    const { consultation, client } = await createConsultation(server);
    const chat = await openChat(server, consultation.id, client);
    await say(chat, 'before');
    await db.query(`DELETE FROM consultations WHERE id = ${p(1)}`, [consultation.id]);
    chat.send({ type: 'chat_message', message: 'after', client_id: 'orphan-1' });
    expect(await chat.next()).toMatchObject({ type: 'error' });
    expect(
      await count(`SELECT COUNT(*) AS n FROM chat_messages WHERE consultation_id = ${p(1)}`, [consultation.id]),
    ).toBe(0);
    await chat.close();
  });

  it('a user who takes part in a consultation cannot be deleted out from under it; one without goes with their notifications', async () => {
    const { client } = await createConsultation(server);
    await expect(db.query(`DELETE FROM users WHERE id = ${p(1)}`, [client.id])).rejects.toThrow(/foreign key/i);

    const admin = await createAdmin(server);
    const loner = await createUser(server);
    await adminNotify(server, admin, loner.id);
    await db.query(`DELETE FROM users WHERE id = ${p(1)}`, [loner.id]);
    expect(await count(`SELECT COUNT(*) AS n FROM notifications WHERE user_id = ${p(1)}`, [loner.id])).toBe(0);
  });
});
