import { DataSource } from 'typeorm';
import { WalletService } from '@numerai/wallet';
import { createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ENGINE, expectError, noteSkippedPostgres } from '../support/rest-helpers';
import { startTestServer, TestServer } from '../support/server';
import { createAdmin, ISO, UUID } from '../ws/helpers';
import { postWebhook, topUpEvent, WEBHOOK_SECRET } from './payments';

noteSkippedPostgres('wallet');

/** Issue 28: wallets on a double-entry ledger — GET /api/wallet, admin grants, signed top-ups, charges. */
describe(`wallet (${ENGINE})`, () => {
  let server: TestServer;
  let admin: TestUser;
  const wallet = async (user: TestUser, query = '') => {
    const res = await http(server.httpUrl, 'GET', `/api/wallet${query}`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const grant = (user: TestUser | string, body: unknown, token = admin.token) =>
    http(server.httpUrl, 'POST', `/api/admin/wallets/${typeof user === 'string' ? user : user.id}/grants`, {
      token,
      body,
    });
  const ledgerSum = async () => {
    const [row] = await server.app
      .get(DataSource)
      .query('SELECT COALESCE(SUM(amount_minor), 0) AS total FROM wallet_entries');
    return Number(row.total);
  };

  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_PER_MINUTE: '100000', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    admin = await createAdmin(server);
  });
  afterAll(() => server?.close());

  it('a new wallet is empty, in WALLET_CURRENCY', async () => {
    const user = await createUser(server);
    expect(await wallet(user)).toEqual({ currency: 'USD', balance: 0, entries: { items: [], next_before: null } });
  });

  it('admin grants: credited once per idempotency key; a replay answers the first grant and changes nothing', async () => {
    const user = await createUser(server);
    const first = await grant(user, { amount: 1500, idempotency_key: 'welcome-1' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      applied: true,
      transfer_id: expect.stringMatching(UUID),
      kind: 'grant',
      amount: 1500,
      currency: 'USD',
      created_at: expect.stringMatching(ISO),
    });
    const replay = await grant(user, { amount: 1500, idempotency_key: 'welcome-1' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ ...first.body, applied: false });
    expectError(await grant(user, { amount: 99, idempotency_key: 'welcome-1' }), 409, 'different transfer');

    const view = await wallet(user);
    expect(view.balance).toBe(1500);
    expect(view.entries.items).toEqual([
      {
        id: expect.stringMatching(UUID),
        transfer_id: first.body.transfer_id,
        kind: 'grant',
        amount: 1500,
        created_at: expect.stringMatching(ISO),
      },
    ]);
    expect(await ledgerSum()).toBe(0);
  });

  it('grants are for admins only, validated, and to existing users', async () => {
    const user = await createUser(server);
    expectError(await grant(user, { amount: 100, idempotency_key: 'k' }, user.token), 403);
    for (const body of [
      { amount: 1.5, idempotency_key: 'k' },
      { amount: 0, idempotency_key: 'k' },
      { amount: '100', idempotency_key: 'k' },
      { amount: 1_000_000_001, idempotency_key: 'k' },
      { amount: 100 },
      { amount: 100, idempotency_key: '' },
      { amount: 100, idempotency_key: 'has space' },
      { amount: 100, idempotency_key: 'k', note: 'extra' },
    ]) {
      expectError(await grant(user, body), 400);
    }
    expectError(await grant('not-a-uuid', { amount: 100, idempotency_key: 'k' }), 400);
    expectError(await grant('0190a0f0-0000-7000-8000-000000000000', { amount: 100, idempotency_key: 'k' }), 404);
    expect((await wallet(user)).balance).toBe(0);
  });

  it('a signed top-up credits the wallet once: the replayed event changes nothing', async () => {
    const user = await createUser(server);
    const event = topUpEvent(user.id, 2599);
    const first = await postWebhook(server.httpUrl, event);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, applied: true });
    const again = await postWebhook(server.httpUrl, event);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, applied: false });
    const view = await wallet(user);
    expect(view.balance).toBe(2599);
    expect(view.entries.items.map((entry: { kind: string }) => entry.kind)).toEqual(['top_up']);
    expect(await ledgerSum()).toBe(0);
  });

  it('a forged, altered, unsigned or stale event is 400 and changes nothing', async () => {
    const user = await createUser(server);
    const event = topUpEvent(user.id, 1000);
    expectError(await postWebhook(server.httpUrl, event, { secret: 'whsec_someone_else' }), 400, 'signature');
    const signedOther = JSON.stringify(topUpEvent(user.id, 1));
    const { Stripe } = { Stripe: (await import('stripe')).default };
    const header = Stripe.webhooks.generateTestHeaderString({ payload: signedOther, secret: WEBHOOK_SECRET });
    expectError(await postWebhook(server.httpUrl, event, { signature: header }), 400, 'signature');
    expectError(await postWebhook(server.httpUrl, event, { signature: null }), 400);
    const stale = Stripe.webhooks.generateTestHeaderString({
      payload: JSON.stringify(event),
      secret: WEBHOOK_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expectError(await postWebhook(server.httpUrl, event, { signature: stale }), 400);
    expect((await wallet(user)).balance).toBe(0);
    // The same event, genuinely signed, is still applied: the refusals recorded nothing.
    expect((await postWebhook(server.httpUrl, event)).body).toEqual({ received: true, applied: true });
    expect((await wallet(user)).balance).toBe(1000);
  });

  it('verified events that move no money here are acknowledged and change nothing', async () => {
    const user = await createUser(server);
    const other = { ...topUpEvent(user.id, 500), type: 'customer.created' };
    expect((await postWebhook(server.httpUrl, other)).body).toEqual({ received: true, applied: false });
    const euros = topUpEvent(user.id, 500, { currency: 'eur' });
    expect((await postWebhook(server.httpUrl, euros)).body).toEqual({ received: true, applied: false });
    const nobody = topUpEvent('0190a0f0-0000-7000-8000-000000000000', 500);
    expect((await postWebhook(server.httpUrl, nobody)).body).toEqual({ received: true, applied: false });
    expect((await wallet(user)).balance).toBe(0);
    expect(await ledgerSum()).toBe(0);
  });

  it('charge refuses to take a wallet below zero, and refund gives back; entries page newest first', async () => {
    const user = await createUser(server);
    const wallets = server.app.get(WalletService);
    await grant(user, { amount: 300, idempotency_key: `page-${user.id}` });
    await expect(wallets.charge(user.id, 301, `t:${user.id}:1`)).rejects.toThrow('Insufficient funds');
    expect((await wallets.charge(user.id, 200, `t:${user.id}:2`)).applied).toBe(true);
    expect((await wallets.charge(user.id, 200, `t:${user.id}:2`)).applied).toBe(false);
    await expect(wallets.charge(user.id, 101, `t:${user.id}:3`)).rejects.toThrow('Insufficient funds');
    expect((await wallets.refund(user.id, 50, `t:${user.id}:4`)).applied).toBe(true);
    expect(await wallets.balance(user.id)).toBe(150);

    const page1 = await wallet(user, '?limit=2');
    expect(page1.entries.items.map((entry: { amount: number }) => entry.amount)).toEqual([50, -200]);
    const page2 = await wallet(user, `?limit=2&before=${page1.entries.next_before}`);
    expect(page2.entries).toEqual({
      items: [expect.objectContaining({ amount: 300, kind: 'grant' })],
      next_before: null,
    });
    expectError(await http(server.httpUrl, 'GET', '/api/wallet?limit=0', { token: user.token }), 400);
    expectError(await http(server.httpUrl, 'GET', '/api/wallet?cursor=x', { token: user.token }), 400);
  });

  it('the export holds the wallet; erasure keeps the entries but detaches the wallet from the user', async () => {
    const user = await createUser(server);
    await grant(user, { amount: 700, idempotency_key: `export-${user.id}` });
    const exported = await http(server.httpUrl, 'GET', '/api/users/me/export', { token: user.token });
    expect(exported.status).toBe(200);
    expect(exported.body.wallet).toEqual({
      currency: 'USD',
      balance: 700,
      entries: [expect.objectContaining({ kind: 'grant', amount: 700 })],
    });

    const db = server.app.get(DataSource);
    const [account] = await db.query(`SELECT id FROM wallet_accounts WHERE user_id = '${user.id}'`);
    const erased = await http(server.httpUrl, 'DELETE', '/api/users/me', {
      token: user.token,
      body: { password: user.password },
    });
    expect(erased.status).toBe(204);
    const [after] = await db.query(`SELECT user_id, detached_at FROM wallet_accounts WHERE id = '${account.id}'`);
    expect(after.user_id).toBeNull();
    expect(after.detached_at).not.toBeNull();
    const entries = await db.query(`SELECT amount_minor FROM wallet_entries WHERE account_id = '${account.id}'`);
    expect(entries.map((row: { amount_minor: unknown }) => Number(row.amount_minor))).toEqual([700]);
    expect(await ledgerSum()).toBe(0);
    // Nothing reaches an erased user's wallet any more.
    expectError(await grant(user, { amount: 1, idempotency_key: `late-${user.id}` }), 404);
  });

  it('the export holds every entry of a long history, in the order GET /api/wallet pages them', async () => {
    const user = await createUser(server);
    const wallets = server.app.get(WalletService);
    for (let chunk = 0; chunk < 21; chunk++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => wallets.grant(user.id, 1 + chunk, `long:${user.id}:${chunk}:${i}`)),
      );
    }
    const paged: unknown[] = [];
    let before = '';
    for (;;) {
      const page = await wallet(user, `?limit=100${before ? `&before=${before}` : ''}`);
      paged.push(...page.entries.items);
      if (!page.entries.next_before) break;
      before = page.entries.next_before;
    }
    expect(paged).toHaveLength(1050);
    const exported = await http(server.httpUrl, 'GET', '/api/users/me/export', { token: user.token });
    expect(exported.body.wallet).toEqual({ currency: 'USD', balance: (50 * (21 * 22)) / 2, entries: paged });
  });

  it('the database itself refuses a fractional amount (an integer in the same place is taken)', async () => {
    const user = await createUser(server);
    const granted = await grant(user, { amount: 10, idempotency_key: `fraction-${user.id}` });
    const runner = server.app.get(DataSource).createQueryRunner();
    const p = ENGINE === 'postgres' ? ['$1', '$2', '$3', '$4'] : ['?', '?', '?', '?'];
    const insert = (id: string, amount: number) =>
      runner.query(
        `INSERT INTO wallet_entries (id, transfer_id, account_id, amount_minor, created_at)
         VALUES (${p.join(', ')}, CURRENT_TIMESTAMP)`,
        [id, granted.body.transfer_id, '00000000-0000-7000-8000-000000000001', amount],
      );
    await runner.startTransaction();
    try {
      await insert('0190a0f0-0000-7000-8000-0000000000ab', 2);
      await expect(insert('0190a0f0-0000-7000-8000-0000000000aa', 1.5)).rejects.toThrow();
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});

describe(`payment webhook without STRIPE_WEBHOOK_SECRET (${ENGINE})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('answers 503 and records nothing', async () => {
    const user = await createUser(server);
    expectError(await postWebhook(server.httpUrl, topUpEvent(user.id, 100)), 503, 'STRIPE_WEBHOOK_SECRET');
  });
});
