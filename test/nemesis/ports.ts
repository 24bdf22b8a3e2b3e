import { createServer } from 'node:net';

/** Redis Cluster's bus listens on port + 10000: keep both below the ephemeral range (32768). */
const LOW = 12_000;
const HIGH = 22_000;
const taken = new Set<number>();

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below the ephemeral range, so no outgoing connection of another process can take
 * it between two of our restarts; `withBus` also checks port + 10000 (a cluster node's bus).
 */
export async function lowPort(withBus = false): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (taken.has(port)) continue;
    if (!(await free(port))) continue;
    if (withBus && !(await free(port + 10_000))) continue;
    taken.add(port);
    return port;
  }
  throw new Error('no free port below 32768 after 500 tries');
}
