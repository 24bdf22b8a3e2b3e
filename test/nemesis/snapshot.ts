import { hash } from './workload/context';
import type { PrivatePostgres } from './postgres';

/** The database at the end of the run, as the checker needs it (message texts only as hashes). */
export interface DbSnapshot {
  messages: Array<{ stream: string; seq: number; id: string; client_id: string | null; type: string; hash: string }>;
  notifications: Array<{
    stream: string;
    user: string;
    seq: number;
    id: string;
    type: string;
    is_read: boolean;
    hash: string;
    consultation?: string;
  }>;
  markers: Array<{ stream: string; user: string; seq: number }>;
}

export async function snapshot(pg: PrivatePostgres, database: string): Promise<DbSnapshot> {
  const messages = await pg.query<{
    consultation_id: string;
    seq: number;
    id: string;
    client_id: string | null;
    message_type: string;
    content: string;
  }>(
    'SELECT consultation_id, seq, id, client_id, message_type, content FROM chat_messages ORDER BY consultation_id, seq',
    [],
    database,
  );
  const notifications = await pg.query<{
    user_id: string;
    seq: number;
    id: string;
    notification_type: string;
    is_read: boolean;
    message: string;
    data: string | null;
  }>(
    'SELECT user_id, seq, id, notification_type, is_read, message, data FROM notifications ORDER BY user_id, seq',
    [],
    database,
  );
  const markers = await pg.query<{ consultation_id: string; user_id: string; last_read_seq: number }>(
    'SELECT consultation_id, user_id, last_read_seq FROM chat_read_markers',
    [],
    database,
  );
  return {
    messages: messages.map((row) => ({
      stream: `c:${row.consultation_id}`,
      seq: Number(row.seq),
      id: row.id,
      client_id: row.client_id,
      type: row.message_type,
      hash: hash(row.content),
    })),
    notifications: notifications.map((row) => {
      const data = row.data ? (JSON.parse(row.data) as { consultation_id?: string }) : undefined;
      return {
        stream: `n:${row.user_id}`,
        user: row.user_id,
        seq: Number(row.seq),
        id: row.id,
        type: row.notification_type,
        is_read: Boolean(row.is_read),
        hash: hash(row.message),
        consultation: data?.consultation_id,
      };
    }),
    markers: markers.map((row) => ({
      stream: `c:${row.consultation_id}`,
      user: row.user_id,
      seq: Number(row.last_read_seq),
    })),
  };
}
