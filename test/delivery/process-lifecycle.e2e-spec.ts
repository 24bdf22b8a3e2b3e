import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessageData } from '@numerai/protocol';
import { createConsultation } from '../support/factories';
import { spawnServer } from '../support/process-server';
import { testClient, type EndpointConnection } from '@numerai/testing';

/** These run the built server as a child process: what SIGKILL and SIGTERM do cannot be shown in-process. */
let dataDir: string;
/** Bursts of hundreds of frames and 50 sockets per user are the point here, not the limits. */
const env = () => ({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '100000', WS_MAX_CONNECTIONS_PER_USER: '100' });
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'numerai-proc-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

test('SIGKILL mid-conversation, restart on the same database: every acknowledged message is there, none twice', async () => {
  const first = await spawnServer(env());
  const { consultation, client, numerologist } = await createConsultation(first);
  const sender = await testClient(first).chat(client, consultation.id);
  sender.send('chat_message', { message: 'before', client_id: 'before' });
  const anchor = (await sender.next('chat_message')).data;

  // Fire a burst without waiting, and kill the server while acknowledgements are arriving.
  const acknowledged = new Map<string, ChatMessageData>();
  const total = 400;
  for (let i = 0; i < total; i++) sender.send('chat_message', { message: `burst ${i}`, client_id: `b${i}` });
  const isBurst = (clientId: string | undefined): clientId is string => /^b\d+$/.test(clientId ?? '');
  while (acknowledged.size < 40) {
    const frame = await sender.next('chat_message');
    if (isBurst(frame.data.client_id)) acknowledged.set(frame.data.client_id, frame.data);
  }
  await first.stop('SIGKILL');
  for (const { data } of sender.all('chat_message'))
    if (isBurst(data.client_id)) acknowledged.set(data.client_id, data);

  const second = await spawnServer(env());
  try {
    const restarted = testClient(second);
    const reader = await restarted.chat(numerologist, consultation.id, { query: { last_message_id: anchor.id } });
    const complete = await reader.next('replay_complete');
    const replayed = reader.all('chat_message').map((frame) => frame.data);
    expect(replayed).toHaveLength(complete.count);
    const byClientId = new Map(replayed.map((message) => [message.client_id, message]));
    expect(byClientId.size).toBe(replayed.length);
    for (const [clientId, message] of acknowledged) expect(byClientId.get(clientId)).toEqual(message);

    // The client resends everything it never saw acknowledged: each is stored exactly once.
    const resender = await restarted.chat(client, consultation.id);
    for (let i = 0; i < total; i++) {
      if (!acknowledged.has(`b${i}`)) resender.send('chat_message', { message: `burst ${i}`, client_id: `b${i}` });
    }
    resender.send('chat_message', { message: 'after', client_id: 'after' });
    while ((await resender.next('chat_message')).data.client_id !== 'after');
    const stored = await restarted.history(client, consultation.id);
    const counts = new Map<string, number>();
    for (const message of stored) counts.set(message.client_id!, (counts.get(message.client_id!) ?? 0) + 1);
    for (let i = 0; i < total; i++) expect([`b${i}`, counts.get(`b${i}`)]).toEqual([`b${i}`, 1]);
    await Promise.all([reader.close(), resender.close()]);
  } finally {
    await second.stop('SIGKILL');
  }
});

test('SIGTERM with 100 open sockets: every socket gets 1001 and the process exits 0 within 10 s', async () => {
  const server = await spawnServer(env());
  const { consultation, client, numerologist } = await createConsultation(server);
  const gateways = testClient(server);
  const sockets: EndpointConnection<'chat' | 'notifications' | 'presence'>[] = [];
  for (let i = 0; i < 100; i++) {
    const user = i % 2 === 0 ? client : numerologist;
    const opening = [
      () => gateways.chat(user, consultation.id),
      () => gateways.notifications(user),
      () => gateways.presence(user),
    ][i % 3];
    // Each is open (connection_established read) before the next: all 100 are in when SIGTERM comes.
    sockets.push(await opening());
  }
  const started = Date.now();
  const exit = server.stop('SIGTERM');
  const closes = await Promise.all(sockets.map(({ socket }) => socket.closed));
  const { code, signal } = await exit;
  expect(closes.map((close) => close.code)).toEqual(new Array(100).fill(1001));
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(Date.now() - started).toBeLessThan(10_000);
});
