import type WebSocket from 'ws';
import { realtimeMetrics } from '@numerai/metrics';
import type { Principal } from '@numerai/common';
import type { ServerFrame } from '@numerai/protocol';
import { WriteCoalescer } from './write-coalescer';

/** Most bytes one socket's coalesced write carries: a few dozen chat frames already share the syscall. */
const MAX_COALESCED_BYTES = 16 * 1024;

/** Connection state hangs off the socket under this key, so shared listeners need no per-socket closure. */
export const CONNECTION = Symbol('numerai:connection');

export type SocketWithConnection = WebSocket & { [CONNECTION]?: ClientConnection };

/**
 * Bytes a socket may have queued before it counts as a slow consumer and is dropped, so one
 * client that stops reading cannot grow server memory. One object from config, shared by
 * every connection (a reference each, not a copy).
 */
export interface SendLimits {
  maxBufferedBytes: number;
}

const DEFAULT_SEND_LIMITS: SendLimits = { maxBufferedBytes: 1024 * 1024 };

/**
 * One accepted WebSocket and what we know about it. Kept deliberately small: at 10,000
 * idle connections every field here is multiplied.
 */
export class ClientConnection<Context = unknown> {
  /** One per process: coalescing is about the event loop's turns, which every connection shares. */
  private static readonly writes = new WriteCoalescer();

  lastActivityMs: number;
  lastPingMs: number;
  /** Token expiry in epoch seconds; the connection closes with 4401 when it passes. */
  expiresAt: number;
  /** Consecutive frames refused by the rate limit; sustained abuse closes the connection. */
  refusedFrames = 0;
  /** Frames received and still being processed (their answers not yet sent). */
  pendingFrames = 0;
  /**
   * Set once the connection is condemned (sustained rate-limit abuse): no further frame is
   * processed, and this runs when the last pending one has answered, so the answers to
   * what was accepted go out before the close.
   */
  closeWhenIdle: (() => void) | undefined;
  /** Live frames kept back while an opening snapshot or replay is prepared (see hold/release). */
  private held: { frame: ServerFrame; payload: Buffer }[] | null = null;
  /** After a replay: live frames it already covered, dropped until `until` (see release). */
  private covered: { drop: (frame: ServerFrame) => boolean; until: number } | null = null;

  constructor(
    readonly id: string,
    readonly socket: SocketWithConnection,
    /** The endpoint's name (its contract's `name`: `chat`, `notifications`, a declared stream's, …). */
    readonly endpoint: string,
    public user: Principal,
    /** The room this connection reads (e.g. `chat:<consultation id>`), besides its user. */
    readonly room: string,
    /** Endpoint-specific state (e.g. the consultation's participants); its type is the endpoint contract's. */
    readonly context: Context,
    now: number,
    private readonly limits: SendLimits = DEFAULT_SEND_LIMITS,
  ) {
    this.lastActivityMs = now;
    this.lastPingMs = now;
    this.expiresAt = user.exp;
    socket[CONNECTION] = this;
  }

  get userId(): string {
    return this.user.id;
  }

  get isOpen(): boolean {
    return this.socket.readyState === 1;
  }

  /** Sends one frame to this connection only. */
  send(frame: ServerFrame): void {
    realtimeMetrics.framesOut(frame.type);
    this.sendRaw(Buffer.from(JSON.stringify(frame)));
  }

  /**
   * Starts keeping live (broadcast) frames back. A gateway holds while it sends what the
   * connection must see first — the unread count, the presence snapshot, a replay — so
   * that nothing live overtakes it and nothing published meanwhile is lost.
   */
  hold(): void {
    this.held ??= [];
  }

  /**
   * Sends what was held, in order, except frames `alreadySent` says the snapshot covered;
   * live frames flow again. A row can be committed (so a replay sees it) before its live
   * announcement is published, so such late announcements keep being dropped for
   * `lingerMs` (a minute: far beyond commit-to-publish): nothing is delivered twice.
   */
  release(alreadySent?: (frame: ServerFrame) => boolean, lingerMs = 60_000): void {
    const held = this.held;
    this.held = null;
    for (const { frame, payload } of held ?? []) if (!alreadySent?.(frame)) this.sendRaw(payload);
    if (alreadySent && lingerMs > 0) this.covered = { drop: alreadySent, until: Date.now() + lingerMs };
  }

  /**
   * `release` after a replay: what was held while it ran can be a lot (a long replay, a busy
   * room), so it goes out in slices, each after the socket drained the last, like the replay —
   * never all at once into a buffer that would count the reader as a slow consumer. Live frames
   * arriving meanwhile queue behind it; nothing overtakes.
   */
  async releaseDrained(alreadySent: (frame: ServerFrame) => boolean, lingerMs = 60_000): Promise<void> {
    while (this.held && this.held.length > 0 && this.isOpen) {
      const slice: Buffer[] = [];
      let bytes = 0;
      while (this.held.length > 0 && bytes < MAX_COALESCED_BYTES * 4) {
        const { frame, payload } = this.held.shift()!;
        if (alreadySent(frame)) continue;
        slice.push(payload);
        bytes += payload.length;
      }
      await this.sendDrained(slice);
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.release(alreadySent, lingerMs);
  }

  /**
   * Ends a connection that can no longer be served in order (a replay that failed part-way):
   * what was held is dropped, never sent, and the socket closes with `code`. Closes once; a
   * socket the client closed meanwhile is left alone. Its close event forgets the connection.
   */
  abort(code: number, reason: string): void {
    this.held = null;
    if (this.isOpen) this.socket.close(code, reason);
  }

  /** A broadcast frame for this connection: sent now, kept while the connection holds, or dropped if a replay covered it. */
  deliver(frame: ServerFrame, payload: Buffer): void {
    if (this.covered) {
      if (Date.now() > this.covered.until) this.covered = null;
      else if (this.covered.drop(frame)) return;
    }
    if (this.held) this.held.push({ frame, payload });
    else this.sendRaw(payload);
  }

  /**
   * Sends catch-up frames, then resolves (true while the socket is open) once `ws` has handed
   * them all to the kernel: a replay sends its next slice only then, so its own frames never
   * pile up and the slow-consumer bound (which they skip) is left for live traffic.
   */
  sendDrained(payloads: Buffer[]): Promise<boolean> {
    const socket = this.socket;
    if (socket.readyState !== 1 || payloads.length === 0) return Promise.resolve(this.isOpen);
    return new Promise((resolve) => {
      const done = () => {
        socket.off('close', done);
        resolve(this.isOpen);
      };
      socket.once('close', done);
      for (const [i, payload] of payloads.entries()) {
        socket.send(payload, { binary: false }, i === payloads.length - 1 ? done : undefined);
      }
    });
  }

  /** Sends an already serialised frame: broadcasts serialise once and call this per recipient. */
  sendRaw(payload: Buffer): void {
    const socket = this.socket;
    if (socket.readyState !== 1) return;
    const { maxBufferedBytes } = this.limits;
    if (socket.bufferedAmount > maxBufferedBytes) {
      // A close frame would queue behind the backlog it is meant to cut; drop the socket now.
      socket.terminate();
      return;
    }
    ClientConnection.writes.hold(socket, Math.min(MAX_COALESCED_BYTES, maxBufferedBytes / 4));
    socket.send(payload, { binary: false });
  }
}
