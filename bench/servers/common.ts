import { randomUUID } from 'node:crypto';

/** What a bench server knows about the user behind a connection. */
export interface BenchUser {
  id: string;
  name: string;
}

/**
 * Reads the claims of a JWT *without* checking its signature: the raw `ws` baseline has no auth,
 * yet its frames must carry the same sender fields as NumerAI's.
 */
export function unverifiedClaims(token: string | null | undefined): BenchUser {
  if (token) {
    const payload = token.split('.')[1];
    if (payload) {
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
          sub?: unknown;
          name?: unknown;
        };
        if (typeof claims.sub === 'string') {
          return { id: claims.sub, name: typeof claims.name === 'string' ? claims.name : 'Anonymous' };
        }
      } catch {
        // not a JWT: fall through to an anonymous user
      }
    }
  }
  return { id: randomUUID(), name: 'Anonymous' };
}

/** The `chat_message` frame of protocol.md, built once per message and sent to the whole room. */
export function chatFrame(sender: BenchUser, content: string) {
  return {
    type: 'chat_message' as const,
    data: {
      id: randomUUID(),
      sender_id: sender.id,
      sender_name: sender.name,
      content,
      created_at: new Date().toISOString(),
      message_type: 'text' as const,
    },
  };
}

export const MAX_MESSAGE_CHARS = 4000;

/** Port from $PORT, host always the loopback interface. */
export function listenPort(): number {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set');
  return port;
}

export function exitOnSignals(close: () => void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      close();
      setTimeout(() => process.exit(0), 200).unref();
    });
  }
}
