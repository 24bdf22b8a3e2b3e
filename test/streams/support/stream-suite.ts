import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleMetadata } from '@nestjs/common';
import { type Endpoint, ENDPOINTS, type StreamContract, streamEndpoint } from '@numerai/protocol';
import {
  connect,
  createTestDatabase,
  http,
  startTestApp,
  type TestApp,
  type TestDatabase,
  type TestSocket,
} from '@numerai/testing';
import { describeScaleOut, startTestRedis, type TestRedis } from '../../scale-out/support/cluster';

/** One stream of the case on `app`: who reads it, its path parameters, and how an item of it is stored. */
export interface StreamUnderTest {
  reader: { token: string };
  /** The endpoint's and the REST page's path parameters (e.g. `{ consultation_id }`). */
  params: Record<string, string>;
  /** Stores one item through `app` (any instance of the cluster) and announces it, as the feature does. */
  produce(app: TestApp, text: string): Promise<void>;
}

/** A stream under the shared suite: its declaration, and how to produce an item. */
export interface StreamCase {
  stream: StreamContract;
  /** Modules the app needs besides its own (a test-only stream's). */
  imports?: ModuleMetadata['imports'];
  /** A fresh stream (a new key) on `app`. */
  open(app: TestApp): Promise<StreamUnderTest>;
}

interface Item {
  id: string;
  seq: number;
}

/** What a reader of the stream received: its items in arrival order. */
class Reader {
  private constructor(
    readonly socket: TestSocket,
    private readonly type: string,
  ) {}

  static async open(
    app: TestApp,
    testCase: StreamCase,
    under: StreamUnderTest,
    query: Record<string, string> = {},
  ): Promise<Reader> {
    const path = address(testCase.stream, under.params);
    const socket = await connect(`${app.wsUrl}${path}`, { token: under.reader.token, query });
    await socket.next('connection_established');
    return new Reader(socket, testCase.stream.frame.frameType);
  }

  items(): Item[] {
    return this.socket.frames
      .filter((frame) => frame.type === this.type)
      .map((frame) => (frame as unknown as { data: Item }).data);
  }

  seqs(): number[] {
    return this.items().map((item) => item.seq);
  }

  /** Waits until `count` items arrived, then returns them. */
  async take(count: number): Promise<Item[]> {
    for (;;) {
      const items = this.items();
      if (items.length >= count) return items;
      await this.socket.next(this.type as never, 10_000);
    }
  }
}

/** The endpoint's address (a contract endpoint's, or the one a stream declared on its own gets), parameters filled in. */
function address(stream: StreamContract, params: Record<string, string>): string {
  const known = Object.hasOwn(ENDPOINTS, stream.endpoint) ? ENDPOINTS[stream.endpoint as Endpoint] : undefined;
  const template = known?.address ?? streamEndpoint(stream).address;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

const consecutive = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** Produces `count` items one after another through `app`. */
async function produce(app: TestApp, under: StreamUnderTest, count: number, label: string): Promise<void> {
  for (let i = 0; i < count; i++) await under.produce(app, `${label} ${i}`);
}

/**
 * The guarantees every ordered stream gives (docs/protocol.md, "Positions and order"), for any
 * declaration: live items in `seq` order, once; a resume by position or by the published id
 * replays what was missed, then `replay_complete`, then live with no gap and no duplicate; a
 * bad resume point is refused; the declared REST page serves what follows a position. On one
 * instance (SQLite, or PostgreSQL with DATABASE_URL), then across two instances sharing
 * PostgreSQL and Redis (single and cluster).
 */
export function describeStream(testCase: StreamCase): void {
  const { stream } = testCase;

  /** A fresh stream on `app`, read there while `count` items are stored through `producer`: its items (the reader closed). */
  async function storedWhileRead(app: TestApp, producer: TestApp, count: number) {
    const under = await testCase.open(app);
    const reader = await Reader.open(app, testCase, under);
    await produce(producer, under, count, 'stored');
    const items = (await reader.take(count)).slice(0, count);
    await reader.socket.close();
    return { under, items };
  }

  /**
   * Resumes on `app` with `query` (naming `held`): `missed` is replayed, then `replay_complete`,
   * then an item stored through `producer` arrives live, with no gap and no duplicate. Returns it.
   */
  async function resumes(
    app: TestApp,
    producer: TestApp,
    under: StreamUnderTest,
    query: Record<string, string>,
    held: Item,
    missed: Item[],
  ): Promise<Item> {
    const resumed = await Reader.open(app, testCase, under, query);
    expect(await resumed.socket.next('replay_complete')).toMatchObject({ count: missed.length, has_more: false });
    expect(resumed.items().map((item) => item.id)).toEqual(missed.map((item) => item.id));
    await under.produce(producer, 'after the replay');
    const live = (await resumed.take(missed.length + 1))[missed.length];
    expect(resumed.seqs()).toEqual(consecutive(held.seq + 1, missed.length + 1));
    await resumed.socket.close();
    return live;
  }

  describe(`the ${stream.endpoint} stream (${stream.frame.frameType})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ imports: testCase.imports });
    });
    afterAll(() => app?.close());

    it('delivers every item live, in seq order, once', async () => {
      const under = await testCase.open(app);
      const reader = await Reader.open(app, testCase, under);
      await produce(app, under, 5, 'live');
      const items = await reader.take(5);
      const first = items[0].seq;
      expect(reader.seqs()).toEqual(consecutive(first, 5));
      await reader.socket.close();
    });

    it(`resumes after ${stream.resume.seq} and after ${stream.resume.id}: the missed items, replay_complete, then live`, async () => {
      const { under, items } = await storedWhileRead(app, app, 4);
      const [held, ...missed] = items;

      for (const query of [{ [stream.resume.seq]: String(held.seq) }, { [stream.resume.id]: held.id }]) {
        // The next resume misses the live one too.
        missed.push(await resumes(app, app, under, query, held, missed));
      }
    });

    it('refuses an unknown id and a position that is not one', async () => {
      const under = await testCase.open(app);
      const unknown = await Reader.open(app, testCase, under, { [stream.resume.id]: randomUUID() });
      expect(await unknown.socket.next('error')).toMatchObject({ code: 'not_found', message: stream.resume.unknownId });
      await unknown.socket.close();
      const invalid = await Reader.open(app, testCase, under, { [stream.resume.seq]: '-1' });
      expect(await invalid.socket.next('error')).toMatchObject({ code: 'validation_failed' });
      await invalid.socket.close();
    });

    it('serves what follows a position on the declared REST page', async () => {
      const stored = await storedWhileRead(app, app, 3);
      const [from, ...rest] = stored.items;
      const under = stored.under;
      const path = stream.page.path.replace(/\{(\w+)\}/g, (_, name: string) => under.params[name]);
      const res = await http(app.httpUrl, 'GET', `${path}?after_seq=${from.seq}&limit=${stream.page.size}`, {
        token: under.reader.token,
      });
      expect(res.status).toBe(200);
      expect((res.body as { items: Item[] }).items.map((item) => item.id)).toEqual(rest.map((item) => item.id));
    });
  });

  describeScaleOut(`the ${stream.endpoint} stream across two instances`, () => {
    let redis: TestRedis;
    let database: TestDatabase;
    let dataDir: string;
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      redis = await startTestRedis();
      dataDir = mkdtempSync(join(tmpdir(), 'numerai-streams-'));
      database = await createTestDatabase(dataDir);
      const env = { ...redis.env, REDIS_KEY_PREFIX: `s${randomBytes(3).toString('hex')}` };
      // One after the other: the first runs the migrations.
      a = await startTestApp({ env, database, imports: testCase.imports });
      b = await startTestApp({ env, database, imports: testCase.imports });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await database?.drop();
      await redis?.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('delivers items stored on both instances to a reader on one, in seq order, once', async () => {
      const under = await testCase.open(a);
      const reader = await Reader.open(a, testCase, under);
      // The reader's room is followed on the bus before the connection counts as open (subscribe-first).
      await Promise.all([produce(a, under, 10, 'from A'), produce(b, under, 10, 'from B')]);
      const items = await reader.take(20);
      expect(reader.seqs()).toEqual(consecutive(items[0].seq, 20));
      await reader.socket.close();
    });

    it('resumes on the other instance where the reader left off', async () => {
      const { under, items } = await storedWhileRead(a, b, 3);
      await resumes(b, a, under, { [stream.resume.seq]: String(items[0].seq) }, items[0], items.slice(1));
    });
  });
}
