/**
 * What turns the Socket.IO baseline into the scaled-out baselines of the cluster benchmark
 * (bench/cluster/): the official Redis adapter, classic (PUBLISH to one channel every instance
 * reads) or sharded (Redis 7 SPUBLISH, one channel per room, `dynamic` subscriptions), and
 * optionally storage as a typical app does it: one INSERT per message into a table of the same
 * shape as NumerAI's `chat_messages`, awaited before the broadcast. All from the environment, so
 * the plain baseline (no variable set) is unchanged:
 *   SIO_REDIS_URL, SIO_ADAPTER=classic|sharded, SIO_REDIS_KEY (channel prefix of this run),
 *   SIO_STORE_DATABASE_URL, SIO_STORE_TABLE.
 */
import type { Server } from 'socket.io';
import type { BenchUser } from './common';

/** Stores one chat message before it is broadcast (storing baseline), or nothing. */
export type StoreMessage = (
  room: string,
  frame: { data: { id: string; created_at: string } },
  user: BenchUser,
  content: string,
) => Promise<void>;

export interface ClusterHooks {
  store?: StoreMessage;
  close(): Promise<void>;
}

export async function attachCluster(io: Server): Promise<ClusterHooks> {
  const closers: Array<() => Promise<unknown>> = [];
  const redisUrl = process.env.SIO_REDIS_URL;
  if (redisUrl) {
    const { Redis } = await import('ioredis');
    const { createAdapter, createShardedAdapter } = await import('@socket.io/redis-adapter');
    const pub = new Redis(redisUrl);
    const sub = pub.duplicate();
    closers.push(
      () => pub.quit(),
      () => sub.quit(),
    );
    const key = process.env.SIO_REDIS_KEY ?? 'socket.io';
    io.adapter(
      process.env.SIO_ADAPTER === 'sharded'
        ? createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: 'dynamic' })
        : createAdapter(pub, sub, { key }),
    );
  }
  const databaseUrl = process.env.SIO_STORE_DATABASE_URL;
  if (!databaseUrl) return { close: () => closeAll(closers) };
  const table = process.env.SIO_STORE_TABLE ?? 'chat_messages';
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error('SIO_STORE_TABLE must be a plain table name');
  const { Pool } = await import('pg');
  // pg's default pool of 10 connections: what an app that does not tune it gets.
  const pool = new Pool({ connectionString: databaseUrl });
  closers.push(() => pool.end());
  const sql = `INSERT INTO ${table} (id, consultation_id, sender_id, content, message_type, client_id, created_at)
               VALUES ($1, $2, $3, $4, 'text', NULL, $5)`;
  return {
    store: async (room, frame, user, content) => {
      await pool.query(sql, [frame.data.id, room, user.id, content, frame.data.created_at]);
    },
    close: () => closeAll(closers),
  };
}

async function closeAll(closers: Array<() => Promise<unknown>>): Promise<void> {
  await Promise.allSettled(closers.map((close) => close()));
}
