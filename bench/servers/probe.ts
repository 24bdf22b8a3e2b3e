/**
 * Preloaded (`node --expose-gc -r dist/bench/servers/probe.js …`) into every server child the
 * benchmark starts, NumerAI included, so memory is read the same way everywhere without adding
 * an endpoint to any server: the orchestrator asks over the IPC channel, the probe collects
 * garbage and answers with process.memoryUsage(). It also ends the server when the orchestrator
 * goes away, so no server outlives a crashed benchmark.
 */
import { serveRpc } from '../lib/rpc';

const gc = (globalThis as { gc?: () => void }).gc;

serveRpc({
  memory: async (params: { gc?: boolean }) => {
    if (params.gc !== false && gc) {
      // Two passes with a turn of the event loop between them: weak callbacks and finalizers run in between.
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    const usage = process.memoryUsage();
    return {
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
    };
  },
});

if (process.connected) {
  process.on('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 5000).unref();
  });
  // The IPC channel must not keep a server alive on its own, nor stop it from exiting.
  process.channel?.unref();
}
