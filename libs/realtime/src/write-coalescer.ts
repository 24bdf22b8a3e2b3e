import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/** `ws` keeps the TCP socket private; reaching it is what lets us batch the writes. */
type WithTransport = WebSocket & { _socket?: Socket };

/**
 * Frames sent to one socket within one turn of the event loop leave in a single write
 * (one syscall, one TCP segment when they fit) instead of one each. A write is most of
 * what a delivery costs, and the group commit broadcasts a whole batch of messages in
 * one turn, so on a busy room every member gets the batch's frames together. Nothing
 * waits longer than the end of the current turn: the sockets are uncorked on the next tick.
 */
export class WriteCoalescer {
  private corked: Socket[] = [];

  /**
   * Call before sending on `socket`; its writes until the end of this turn are coalesced,
   * up to `flushAtBytes` at a time. Corked bytes count as queued (`bufferedAmount`), so the
   * cap keeps a burst (a whole batch of long messages) from looking like a slow consumer:
   * past it the socket is flushed, and only what the kernel will not take stays queued.
   */
  hold(socket: WebSocket, flushAtBytes: number): void {
    const transport = (socket as WithTransport)._socket;
    if (!transport) return;
    if (transport.writableCorked > 0) {
      if (transport.writableLength >= flushAtBytes) {
        transport.uncork();
        transport.cork();
      }
      return;
    }
    transport.cork();
    if (this.corked.push(transport) === 1) process.nextTick(this.flush);
  }

  private readonly flush = (): void => {
    const corked = this.corked;
    this.corked = [];
    for (const transport of corked) {
      while (transport.writableCorked > 0) transport.uncork();
    }
  };
}
