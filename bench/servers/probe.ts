/**
 * Preloaded (`node --expose-gc -r dist/bench/servers/probe.js …`) into every server child the
 * benchmark starts, NumerAI included, so memory is read the same way everywhere without adding
 * an endpoint to any server: the orchestrator asks over the IPC channel, the probe collects
 * garbage and answers with process.memoryUsage(). It also ends the server when the orchestrator
 * goes away, so no server outlives a crashed benchmark. With `--profile` the orchestrator also
 * asks it to CPU-profile one scenario at a time (the in-process inspector, no port opened).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { serveRpc } from '../lib/rpc';

const gc = (globalThis as { gc?: () => void }).gc;

let session: Session | undefined;

function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

serveRpc({
  profileStart: async () => {
    if (!session) {
      session = new Session();
      session.connect();
      await post('Profiler.enable');
    }
    await post('Profiler.start');
    return { started: true };
  },
  profileStop: async (params: { file: string }) => {
    if (!session) throw new Error('profileStart first');
    const { profile } = await post<{ profile: unknown }>('Profiler.stop');
    writeFileSync(params.file, JSON.stringify(profile));
    return { file: params.file };
  },
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
