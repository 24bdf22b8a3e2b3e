/**
 * Memory of one `GET /api/users/me/export` for a user with a long chat history (issue 23).
 * In-process app on a fresh SQLite file; the client reads the body and throws it away.
 *
 *   EXPORT_BENCH_MESSAGES=60000 node --expose-gc node_modules/.bin/jest --runInBand \
 *     --testMatch '<rootDir>/bench/export/export-memory.bench.ts' --testTimeout 600000
 *
 * (run through jest: ts-jest keeps the decorator metadata typeorm needs, which tsx drops).
 * Prints the document size, the time, and the peak growth of RSS and of the V8 heap above
 * the level after seeding (sampled every 5 ms while the export runs).
 */
import { MessageWriter } from '@numerai/chat';
import { createConsultation, createUser, startTestApp } from '@numerai/testing';

it('export memory', async () => {
  const count = Number(process.env.EXPORT_BENCH_MESSAGES ?? 60_000);
  const app = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'warn' } });
  try {
    const client = await createUser(app);
    const { consultation } = await createConsultation(app, { client, status: 'active' });
    const writer = app.app.get(MessageWriter);
    const text = 'A message long enough to look like a real one in a consultation chat, more or less. ';
    for (let start = 0; start < count; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - start) }, (_, k) =>
          writer.store({
            consultationId: consultation.id,
            senderId: client.id,
            content: `${start + k} ${text}`,
            clientId: null,
          }),
        ),
      );
    }
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc');
    gc();
    gc();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 5);
    const started = performance.now();
    const response = await fetch(`${app.httpUrl}/api/users/me/export`, {
      headers: { authorization: `Bearer ${client.token}` },
    });
    let bytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
    const ms = performance.now() - started;
    clearInterval(sampler);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    expect(response.status).toBe(200);
    process.stdout.write(
      `${JSON.stringify({
        messages: count,
        status: response.status,
        document_mb: mb(bytes),
        ms: Math.round(ms),
        peak_rss_growth_mb: mb(peakRss - base.rss),
        peak_heap_growth_mb: mb(peakHeap - base.heapUsed),
      })}\n`,
    );
  } finally {
    await app.close();
  }
});
