import fc from 'fast-check';
import WebSocket from 'ws';
import { type Endpoint, type ServerFrame } from '@numerai/protocol';
import { createConsultation, createUser, TestUser } from '../support/factories';
import { http } from '../support/http';
import { ChatMessagesRepository } from '../../libs/chat/src/chat-messages.repository';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';
import { testClient } from '@numerai/testing';
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
  unreadCount,
  withTimeout,
} from '../ws/helpers';
import { Fuzzed, FuzzModel, FuzzTargets, fuzzSeed, hostileFrame, Outcome } from './support/frames';
import { dbCounts, DbCounts, healthStatus, isProtocolError, settles } from './support/harness';
import { FULL_TIER, ReliabilityRecorder } from './support/recorder';

/**
 * Issue 8, "Fuzzed frames": thousands of generated hostile frames per endpoint, seeded and
 * reproducible (HOSTILE_SEED=<seed> replays a run). For every frame the answer must be the
 * one protocol.md promises — an `error` frame with the predicted code (and `ref`), or the
 * legitimate reply of a valid frame — the connection stays open, the process stays healthy,
 * and the database changes only by what the valid frames did.
 */
const SEED = fuzzSeed();
const FRAMES_PER_ENDPOINT = Number(process.env.HOSTILE_FRAMES ?? (FULL_TIER ? 20_000 : 3_000));
const INTERLEAVE_RUNS = FULL_TIER ? 300 : 40;

const recorder = new ReliabilityRecorder('fuzz');

describe(`hostile: fuzzed frames (seed ${SEED})`, () => {
  let server: TestServer;
  let admin: TestUser;

  beforeAll(async () => {
    process.stdout.write(
      `hostile fuzz: seed ${SEED}, ${FRAMES_PER_ENDPOINT} frames per endpoint (replay: HOSTILE_SEED=${SEED} npx jest test/hostile/fuzz)\n`,
    );
    recorder.note('seed', SEED);
    recorder.note('frames_per_endpoint', FRAMES_PER_ENDPOINT);
    server = await startTestServer({
      // Every frame spends the shared budget; the fuzz must reach the handlers, not the limiter.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      WS_UPGRADES_PER_MINUTE_PER_IP: '1000000',
    });
    admin = await createAdmin(server);
  });
  afterAll(async () => {
    recorder.write();
    await server?.close();
  });

  /** Sends one fuzzed frame the way a hostile client would: text as is (even unparsable), binary as binary. */
  function sendFuzzed(socket: TestSocket, frame: Fuzzed): void {
    if (frame.kind === 'binary') socket.ws.send(frame.bytes, { binary: true });
    else socket.ws.send(frame.text);
  }

  /**
   * fc.assert would print the whole counterexample (64 KB frames); this reports the seed,
   * the replay path and the property's own message, which names the offending frame.
   */
  async function checkProperty<T>(property: fc.IAsyncProperty<T>, params: fc.Parameters<T>): Promise<void> {
    const details = await fc.check(property, params);
    if (!details.failed) return;
    const cause =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `property failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}"; replay with HOSTILE_SEED=${details.seed})\n${cause}`,
    );
  }

  function describeFrame(frame: Fuzzed): string {
    const raw = frame.kind === 'binary' ? `<binary ${frame.bytes.length} bytes>` : frame.text;
    return `${frame.family}: ${JSON.stringify(raw.length > 300 ? `${raw.slice(0, 300)}… (${raw.length} chars)` : raw)}`;
  }

  function matches(frame: ServerFrame, outcome: Outcome, attackerId: string): boolean {
    if (outcome.kind === 'error') {
      return (
        isProtocolError(frame) && frame.type === 'error' && frame.code === outcome.code && frame.ref === outcome.ref
      );
    }
    if (outcome.kind === 'reply') {
      if (frame.type !== outcome.type) return false;
      return frame.type !== 'chat_message' || frame.data.sender_id === attackerId;
    }
    return frame.type === 'pong';
  }

  /** The property: every frame gets exactly its predicted answer, in order, on one connection. */
  async function fuzz(endpoint: Endpoint, socket: TestSocket, attacker: TestUser, targets: FuzzTargets) {
    const model = new FuzzModel(endpoint, targets);
    let sent = 0;
    await checkProperty(
      fc.asyncProperty(hostileFrame(endpoint, targets), async (frame) => {
        const outcome = model.apply(frame);
        sendFuzzed(socket, frame);
        sent++;
        // A frame that must not be answered is followed by a ping: the next thing back must be its pong.
        if (outcome.kind === 'silent') socket.send({ type: 'ping' });
        const answer = await socket.next(undefined, 10_000);
        if (!matches(answer, outcome, attacker.id)) {
          throw new Error(
            `frame #${sent} ${describeFrame(frame)}\n  expected ${JSON.stringify(outcome)}\n  got ${JSON.stringify(answer)}`,
          );
        }
      }),
      { seed: SEED, numRuns: FRAMES_PER_ENDPOINT, endOnFailure: true },
    );
    // Nothing late or extra: a marker after the last answer, and its pong the very next thing back.
    socket.send({ type: 'ping' });
    expect(await socket.next(undefined, 5000)).toEqual({ type: 'pong' });
    return { model, sent };
  }

  function summarise(model: FuzzModel): string {
    const byOutcome: Record<string, number> = {};
    for (const [key, n] of Object.entries(model.tally)) {
      const outcome = key.split(':')[1];
      byOutcome[outcome] = (byOutcome[outcome] ?? 0) + n;
    }
    return Object.entries(byOutcome)
      .sort((a, b) => b[1] - a[1])
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ');
  }

  function families(model: FuzzModel): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, n] of Object.entries(model.tally)) {
      const family = key.split(':')[0];
      out[family] = (out[family] ?? 0) + n;
    }
    return out;
  }

  function prototypeIsClean(): boolean {
    const probe = {} as Record<string, unknown>;
    return ['polluted', 'message', 'type', 'is_typing', 'token', 'notification_id'].every(
      (key) => probe[key] === undefined,
    );
  }

  async function runEndpoint(
    endpoint: Endpoint,
    socket: TestSocket,
    attacker: TestUser,
    targets: FuzzTargets,
    expectDelta: (model: FuzzModel, before: DbCounts) => DbCounts,
    bystanderCheck: (model: FuzzModel) => { ok: boolean; seen: string },
  ) {
    const before = await dbCounts(server);
    let model: FuzzModel | undefined;
    let failure: Error | undefined;
    try {
      ({ model } = await fuzz(endpoint, socket, attacker, targets));
    } catch (error) {
      failure = error as Error;
    }
    const after = await dbCounts(server);
    const health = await healthStatus(server);
    const open = socket.ws.readyState === WebSocket.OPEN;
    const expectedCounts = model ? expectDelta(model, before) : undefined;
    const bystander = model ? bystanderCheck(model) : { ok: false, seen: 'not run' };
    const tried = model ? Object.values(model.tally).reduce((sum, n) => sum + n, 0) : 0;
    const dbOk = expectedCounts !== undefined && JSON.stringify(after) === JSON.stringify(expectedCounts);
    recorder.note(`${endpoint}_families`, model ? families(model) : {});
    recorder.record({
      area: 'Fuzzed frames',
      attack: `/ws/${endpoint}/: random JSON, wrong types, huge/deep values, __proto__/constructor keys, unicode edge cases, binary, valid frames mixed in (seed ${SEED})`,
      tried,
      expected:
        'each frame answered as protocol.md says (error code + ref, or the valid reply); connection open; /health 200; DB changed only by valid frames; other users see only legitimate frames',
      seen: failure
        ? `FAILED: ${failure.message.split('\n').slice(0, 4).join(' ')}`
        : `${tried}/${tried} as predicted (${summarise(model!)}); connection ${open ? 'open' : 'CLOSED'}; /health ${health}; ` +
          `DB ${dbOk ? 'as predicted' : `DIFFERS ${JSON.stringify({ before, after, expected: expectedCounts })}`} ` +
          `(+${after.chat_messages - before.chat_messages} messages, +${after.chat_read_markers - before.chat_read_markers} read markers, ` +
          `${before.unread_notifications - after.unread_notifications} notifications read); ${bystander.seen}; Object.prototype ${prototypeIsClean() ? 'clean' : 'POLLUTED'}`,
      ok: !failure && open && health === 200 && dbOk && bystander.ok && prototypeIsClean(),
    });
    if (failure) throw failure;
    expect(open).toBe(true);
    expect(health).toBe(200);
    expect(after).toEqual(expectedCounts);
    expect(bystander.ok).toBe(true);
    expect(prototypeIsClean()).toBe(true);
    return model!;
  }

  it(`chat: ${FRAMES_PER_ENDPOINT} generated frames, each answered as protocol.md says; data changed only by valid ones`, async () => {
    const { consultation, client: attacker, numerologist } = await createConsultation(server);
    const other = await createConsultation(server);
    const bystander = await openChat(server, consultation.id, numerologist);
    const own = [
      await say(bystander, 'seed one'),
      await say(bystander, 'seed two'),
      await say(bystander, 'seed three'),
    ];
    const foreignSocket = await openChat(server, other.consultation.id, other.client);
    const foreign = await say(foreignSocket, 'not yours');
    await foreignSocket.close();
    // The seeds became chat_message notifications for the attacker; reading clears them, which the
    // oracle does not model, so they start read: a receipt then changes only the read marker.
    await waitFor('the seeds notified', async () => (await unreadCount(server, attacker)) === own.length);
    await http(server.httpUrl, 'POST', '/api/notifications/read-all', { token: attacker.token });
    const attackerSocket = await openChat(server, consultation.id, attacker);
    const bystanderStart = bystander.frames.length;

    await runEndpoint(
      'chat',
      attackerSocket,
      attacker,
      { ownIds: own.map((m) => m.id), foreignIds: [foreign.id, other.consultation.id, consultation.id] },
      (model, before) => ({
        ...before,
        chat_messages: before.chat_messages + model.storedMessages,
        chat_read_markers: before.chat_read_markers + (model.receiptsSent > 0 ? 1 : 0),
      }),
      (model) => {
        const seen = bystander.frames.slice(bystanderStart);
        const messages = seen.filter((f) => f.type === 'chat_message').length;
        const illegitimate = seen.filter((f) => !['chat_message', 'typing_indicator', 'read_receipt'].includes(f.type));
        return {
          ok: messages === model.storedMessages && illegitimate.length === 0,
          seen: `the other participant got ${messages} chat_message (${model.storedMessages} stored) and ${illegitimate.length} other frames`,
        };
      },
    );
    await closeAll(attackerSocket, bystander);
  }, 600_000);

  it(`notifications: ${FRAMES_PER_ENDPOINT} generated frames; other users' notifications untouched`, async () => {
    const attacker = await createUser(server);
    const victim = await createUser(server);
    const own = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => adminNotify(server, admin, attacker.id, { title: `own ${i}` })),
    );
    const foreign = await Promise.all(
      [1, 2, 3].map((i) => adminNotify(server, admin, victim.id, { title: `victim ${i}` })),
    );
    const { socket: victimSocket } = await openNotifications(server, victim);
    const { socket: attackerSocket } = await openNotifications(server, attacker);
    const victimStart = victimSocket.frames.length;

    await runEndpoint(
      'notifications',
      attackerSocket,
      attacker,
      { ownIds: own.map((n) => n.id), foreignIds: [...foreign.map((n) => n.id), attacker.id, victim.id] },
      (model, before) => ({ ...before, unread_notifications: before.unread_notifications - model.notificationsRead }),
      () => {
        const seen = victimSocket.frames.slice(victimStart);
        return { ok: seen.length === 0, seen: `the victim's socket got ${seen.length} frames` };
      },
    );
    await closeAll(attackerSocket, victimSocket);
  }, 600_000);

  it(`presence: ${FRAMES_PER_ENDPOINT} generated frames from a client (set_availability is a numerologist's: forbidden)`, async () => {
    const { client: attacker, numerologist: contact } = await createConsultation(server, { status: 'active' });
    const { socket: attackerSocket } = await openPresence(server, attacker);
    const { socket: contactSocket } = await openPresence(server, contact);
    // The contact coming online is announced to the attacker before the fuzz starts.
    await attackerSocket.next('user_online');
    const contactStart = contactSocket.frames.length;

    await runEndpoint(
      'presence',
      attackerSocket,
      attacker,
      { ownIds: [], foreignIds: [contact.id] },
      (_model, before) => before,
      () => {
        const seen = contactSocket.frames.slice(contactStart);
        return { ok: seen.length === 0, seen: `the contact's socket got ${seen.length} frames` };
      },
    );
    await closeAll(attackerSocket, contactSocket);
  }, 600_000);

  it(`availability: ${FRAMES_PER_ENDPOINT} generated frames from a client to the public listing; nobody else hears a thing`, async () => {
    const attacker = await createUser(server);
    const attackerSocket = (await testClient(server).availability(attacker)).socket;
    await attackerSocket.next('available_page');
    const viewerSocket = (await testClient(server).availability(await createUser(server))).socket;
    await viewerSocket.next('available_page');
    const viewerStart = viewerSocket.frames.length;

    await runEndpoint(
      'availability',
      attackerSocket,
      attacker,
      { ownIds: [], foreignIds: [] },
      (_model, before) => before,
      () => {
        const seen = viewerSocket.frames.slice(viewerStart);
        return { ok: seen.length === 0, seen: `another viewer's socket got ${seen.length} frames` };
      },
    );
    await closeAll(attackerSocket, viewerSocket);
  }, 600_000);

  it('frames split into WebSocket fragments at random byte offsets and interleaved across six connections', async () => {
    const a = await createConsultation(server);
    const b = await createConsultation(server);
    const conns: { endpoint: Endpoint; socket: TestSocket; user: TestUser; model: FuzzModel }[] = [];
    const add = async (endpoint: Endpoint, user: TestUser, url: string) => {
      const socket = await connect(url, { token: user.token });
      await socket.next('connection_established');
      if (endpoint !== 'chat') await socket.next(endpoint === 'notifications' ? 'unread_count' : 'presence_state');
      conns.push({ endpoint, socket, user, model: new FuzzModel(endpoint, { ownIds: [], foreignIds: [] }) });
    };
    await add('chat', a.client, chatUrl(server, a.consultation.id));
    await add('chat', b.numerologist, chatUrl(server, b.consultation.id));
    await add('notifications', a.client, notificationsUrl(server));
    await add('notifications', b.numerologist, notificationsUrl(server));
    // A client: the model's attacker (a numerologist's set_availability would change their availability).
    await add('presence', a.client, presenceUrl(server));
    await add('presence', b.client, presenceUrl(server));
    for (const conn of conns) conn.socket.frames.length = 0;
    const cursor = conns.map(() => 0);
    const before = await dbCounts(server);
    let fragments = 0;
    let frames = 0;

    const batch = fc.tuple(
      ...conns.map((conn) =>
        fc.array(
          fc.tuple(
            hostileFrame(conn.endpoint, { ownIds: [], foreignIds: [] }),
            fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
      ),
    );
    let failure: Error | undefined;
    try {
      await checkProperty(
        fc.asyncProperty(batch, async (perConnection) => {
          // Every connection's frames as fragment lists: the fragments of all six connections go out round-robin.
          const queues = perConnection.map((list, i) =>
            list.map(([frame, cuts]) => {
              const bytes = frame.kind === 'binary' ? Buffer.from(frame.bytes) : Buffer.from(frame.text, 'utf8');
              const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
                (x, y) => x - y,
              );
              const parts: Buffer[] = [];
              let start = 0;
              for (const point of points) {
                if (point > start) parts.push(bytes.subarray(start, point));
                start = Math.max(start, point);
              }
              parts.push(bytes.subarray(start));
              return { frame, parts, outcome: conns[i].model.apply(frame) };
            }),
          );
          const expected = queues.map((list) => list.filter((item) => item.outcome.kind !== 'silent'));
          let pending = true;
          while (pending) {
            pending = false;
            for (let i = 0; i < conns.length; i++) {
              const item = queues[i][0];
              if (!item) continue;
              pending = true;
              const part = item.parts.shift()!;
              const last = item.parts.length === 0;
              conns[i].socket.ws.send(part, { binary: item.frame.kind === 'binary', fin: last });
              fragments++;
              if (last) {
                queues[i].shift();
                frames++;
              }
            }
          }
          // Answers to one connection's frames may overtake each other (some need the database): compare as multisets.
          await Promise.all(
            conns.map(async (conn, i) => {
              conn.socket.send({ type: 'ping' });
              const want = expected[i].length + 1;
              // Short of them after 10 s: the comparison below says what came instead.
              await settles(
                'every answer and the pong',
                () => conn.socket.frames.length - cursor[i] >= want,
                10_000,
                5,
              );
              const got = conn.socket.frames.slice(cursor[i], cursor[i] + want);
              cursor[i] += got.length;
              const key = (f: ServerFrame) => (f.type === 'error' ? `error:${f.code}:${f.ref ?? ''}` : f.type);
              const wantKeys = [
                ...expected[i].map(({ outcome }) =>
                  outcome.kind === 'error'
                    ? `error:${outcome.code}:${outcome.ref ?? ''}`
                    : outcome.kind === 'reply'
                      ? outcome.type
                      : '',
                ),
                'pong',
              ].sort();
              const gotKeys = got.map(key).sort();
              if (
                JSON.stringify(wantKeys) !== JSON.stringify(gotKeys) ||
                !got.every((f) => f.type !== 'error' || isProtocolError(f))
              ) {
                const sentFrames = perConnection[i].map(([frame]) => describeFrame(frame)).join('\n    ');
                throw new Error(
                  `/ws/${conn.endpoint}/ #${i}: expected ${JSON.stringify(wantKeys)}, got ${JSON.stringify(got)}\n  frames:\n    ${sentFrames}`,
                );
              }
            }),
          );
        }),
        { seed: SEED, numRuns: INTERLEAVE_RUNS, endOnFailure: true },
      );
    } catch (error) {
      failure = error as Error;
    }
    const open = conns.filter((conn) => conn.socket.ws.readyState === WebSocket.OPEN).length;
    const health = await healthStatus(server);
    const after = await dbCounts(server);
    const stored = conns.reduce((sum, conn) => sum + conn.model.storedMessages, 0);
    recorder.record({
      area: 'Fuzzed frames',
      attack: `frames cut into 1–6 WebSocket fragments at random byte offsets (mid UTF-8 sequence too), fragments of 6 connections on 3 endpoints interleaved (seed ${SEED})`,
      tried: frames,
      expected: 'each connection reassembles its own frames: the same answers as unsplit frames; all 6 stay open',
      seen: failure
        ? `FAILED: ${failure.message.split('\n').slice(0, 3).join(' ')}`
        : `${frames} frames in ${fragments} fragments answered as predicted; ${open}/6 open; /health ${health}; +${after.chat_messages - before.chat_messages} messages (${stored} valid)`,
      ok: !failure && open === 6 && health === 200 && after.chat_messages - before.chat_messages === stored,
    });
    if (failure) throw failure;
    expect(open).toBe(6);
    expect(health).toBe(200);
    expect(after.chat_messages - before.chat_messages).toBe(stored);
    await closeAll(...conns.map((conn) => conn.socket));
  }, 600_000);

  it('poison pills in one group-commit batch: NUL and unpaired surrogates are refused, the other messages of the batch are stored', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const attacker = await openChat(server, consultation.id, client);
    const victim = await openChat(server, consultation.id, numerologist);
    const before = await dbCounts(server);
    const pills = [
      { message: 'nul \u0000 inside', client_id: 'pill-1' },
      { message: '\uD800 lone high surrogate', client_id: 'pill-2' },
      { message: 'fine text', client_id: 'pill-\uDC00' },
      { message: 'fine text', client_id: 'pill-\uDFFF' },
      { message: 'fine text', client_id: 'nul\u0000id' },
    ];
    // Same event-loop turn: the victim's messages and the pills would share one INSERT.
    for (let i = 0; i < 5; i++) victim.send({ type: 'chat_message', message: `victim ${i}`, client_id: `victim-${i}` });
    for (const pill of pills) attacker.send({ type: 'chat_message', ...pill });
    const answers = await Promise.all(pills.map(() => attacker.next('error', 5000)));
    const echoes: string[] = [];
    for (let i = 0; i < 5; i++) echoes.push((await victim.next('chat_message', 5000)).data.content);
    const after = await dbCounts(server);
    const refused = answers.filter((a) => a.code === 'validation_failed').length;
    recorder.record({
      area: 'Fuzzed frames',
      attack:
        'poison pills sent in the same tick as another user’s messages: U+0000 and unpaired surrogates in message / client_id',
      tried: pills.length + 5,
      expected: 'each pill → validation_failed (ref = client_id); the other user’s 5 messages stored and echoed',
      seen: `${refused}/${pills.length} pills validation_failed; victim’s messages echoed ${echoes.length}/5; +${after.chat_messages - before.chat_messages} rows`,
      ok: refused === pills.length && echoes.length === 5 && after.chat_messages - before.chat_messages === 5,
    });
    expect(answers.map((a) => a.code)).toEqual(pills.map(() => 'validation_failed'));
    expect(echoes.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `victim ${i}`));
    expect(after.chat_messages - before.chat_messages).toBe(5);
    await closeAll(attacker, victim);
  });

  it('a row the database refuses inside a group-commit batch fails only its own sender; the rest of the batch is stored', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const attacker = await openChat(server, consultation.id, client);
    const victim = await openChat(server, consultation.id, numerologist);
    const repository = server.app.get(ChatMessagesRepository);
    const insertBatch = repository.insertBatch.bind(repository);
    // Stands in for any value a database refuses that validation let through (as a 65-code-point client_id once was).
    const spy = jest.spyOn(repository, 'insertBatch').mockImplementation(async (rows) => {
      if (rows.some((row) => row.content.includes('refused-by-the-database')))
        throw new Error('simulated: value refused');
      return insertBatch(rows);
    });
    const before = await dbCounts(server);
    for (let i = 0; i < 5; i++)
      victim.send({ type: 'chat_message', message: `batch victim ${i}`, client_id: `bv-${i}` });
    attacker.send({ type: 'chat_message', message: 'refused-by-the-database', client_id: 'bad-row' });
    const refusal = await attacker.next('error', 5000);
    const echoes: string[] = [];
    for (let i = 0; i < 5; i++) echoes.push((await victim.next('chat_message', 5000)).data.content);
    const batches = spy.mock.calls.length;
    spy.mockRestore();
    const after = await dbCounts(server);
    recorder.record({
      area: 'Fuzzed frames',
      attack: 'a message the database refuses, in the same group-commit batch as another user’s 5 messages',
      tried: 6,
      expected: 'only that message fails (internal, ref = client_id); the other 5 stored and delivered',
      seen: `refused one: ${refusal.code} (ref ${refusal.ref}); others echoed ${echoes.length}/5; +${after.chat_messages - before.chat_messages} rows; ${batches} insert calls`,
      ok:
        refusal.code === 'internal' &&
        refusal.ref === 'bad-row' &&
        echoes.length === 5 &&
        after.chat_messages - before.chat_messages === 5,
    });
    expect(refusal).toEqual({ type: 'error', code: 'internal', message: expect.any(String), ref: 'bad-row' });
    expect(echoes.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `batch victim ${i}`));
    expect(after.chat_messages - before.chat_messages).toBe(5);
    await closeAll(attacker, victim);
  });

  it('REST text the database cannot store (NUL, unpaired surrogates) → 400 naming the field, never a 500', async () => {
    const cases: { name: string; method: string; path: string; token?: string; body: unknown; field: string }[] = [
      {
        name: 'register full_name with NUL',
        method: 'POST',
        path: '/api/auth/register',
        body: { email: `nul-${SEED}@example.test`, password: 'long enough pw', full_name: 'A\u0000B' },
        field: 'full_name',
      },
      {
        name: 'register full_name with a lone surrogate',
        method: 'POST',
        path: '/api/auth/register',
        body: { email: `sur-${SEED}@example.test`, password: 'long enough pw', full_name: 'A\uD800' },
        field: 'full_name',
      },
      {
        name: 'login email with NUL',
        method: 'POST',
        path: '/api/auth/login',
        body: { email: 'x\u0000@example.test', password: 'whatever pw' },
        field: 'email',
      },
      {
        name: 'notification title with NUL',
        method: 'POST',
        path: '/api/admin/notifications',
        token: admin.token,
        body: { user_id: admin.id, title: 'T\u0000', message: 'm', notification_type: 'fuzz' },
        field: 'title',
      },
      {
        name: 'notification message with a lone surrogate',
        method: 'POST',
        path: '/api/admin/notifications',
        token: admin.token,
        body: { user_id: admin.id, title: 'T', message: '\uDC00m', notification_type: 'fuzz' },
        field: 'message',
      },
    ];
    const before = await dbCounts(server);
    const seen: string[] = [];
    const failures: string[] = [];
    for (const c of cases) {
      const res = await http(server.httpUrl, c.method, c.path, { token: c.token, body: c.body });
      const message = JSON.stringify(res.body?.message ?? '');
      seen.push(`${c.name} → ${res.status}`);
      if (res.status !== 400 || !message.includes(c.field))
        failures.push(`${c.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    const after = await dbCounts(server);
    recorder.record({
      area: 'Fuzzed frames',
      attack:
        'REST bodies with U+0000 / unpaired surrogates in stored text fields (register, login, admin notification)',
      tried: cases.length,
      expected: '400 naming the field (PostgreSQL cannot store U+0000: it used to be a 500); nothing stored',
      seen: `${seen.join('; ')}; rows unchanged: ${JSON.stringify(after) === JSON.stringify(before)}`,
      ok: failures.length === 0 && JSON.stringify(after) === JSON.stringify(before),
    });
    expect(failures).toEqual([]);
    expect(after).toEqual(before);
  });

  it('limits that do close: a frame over 64 KB → 1009, invalid UTF-8 in a text frame → 1007; the server and other sockets carry on', async () => {
    const { consultation, client, numerologist } = await createConsultation(server);
    const witness = await openChat(server, consultation.id, numerologist);
    const cases: { name: string; send: (s: TestSocket) => void; code: number }[] = [
      { name: '64 KB + 1 text frame', send: (s) => s.send('x'.repeat(64 * 1024 + 1)), code: 1009 },
      {
        name: '1 MB binary frame',
        send: (s) => s.ws.send(Buffer.alloc(1024 * 1024, 1), { binary: true }),
        code: 1009,
      },
      {
        name: 'text frame with bytes that are not UTF-8',
        send: (s) => s.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }),
        code: 1007,
      },
      {
        name: 'text frame with a UTF-16 surrogate encoded as UTF-8 (CESU)',
        send: (s) => s.ws.send(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), { binary: false }),
        code: 1007,
      },
    ];
    const seen: string[] = [];
    for (const c of cases) {
      const socket = await openChat(server, consultation.id, client);
      c.send(socket);
      const closed = await withTimeout(socket.closed, 5000, c.name);
      seen.push(`${c.name} → ${closed.code}`);
      expect({ name: c.name, code: closed.code }).toEqual({ name: c.name, code: c.code });
    }
    witness.send({ type: 'ping' });
    expect(await witness.next('pong')).toEqual({ type: 'pong' });
    const health = await healthStatus(server);
    expect(health).toBe(200);
    recorder.record({
      area: 'Fuzzed frames',
      attack: 'oversized frames (64 KB + 1 text, 1 MB binary) and text frames that are not UTF-8',
      tried: cases.length,
      expected:
        'close 1009 (protocol.md: frame over 64 KB) / 1007 (RFC 6455: invalid UTF-8); other sockets and /health unaffected',
      seen: `${seen.join('; ')}; witness socket answers ping; /health ${health}`,
      ok: true,
    });
    await witness.close();
  });
});
