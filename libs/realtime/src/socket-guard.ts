import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/** What a socket that has not finished its request headers is refused with when over the cap. */
const TOO_MANY = 'HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 10\r\nContent-Length: 0\r\n\r\n';

/**
 * Guards the listener at the TCP level, before any HTTP is parsed: each client address
 * may hold at most `maxPerIp` open sockets (WebSockets and half-sent requests alike), and
 * a socket must finish its first request's headers within `headersTimeoutMs`. Node's own
 * `headersTimeout` is only checked every 30 s, so 1,500 slowloris upgrades from one
 * address were held for up to 90 s; here the extra ones are refused at once and the held
 * ones cut at the deadline.
 *
 * Counted by the socket's peer address: behind a reverse proxy every client shares the
 * proxy's, so raise the cap (or set it to 0) there and let the proxy limit per client.
 */
export class SocketGuard {
  private readonly open = new Map<string, number>();
  private readonly awaitingHeaders = new Map<Socket, NodeJS.Timeout>();

  constructor(private readonly options: { maxPerIp: number; headersTimeoutMs: number }) {}

  attach(server: HttpServer): void {
    server.on('connection', (socket: Socket) => this.accepted(socket));
    const headersDone = (request: IncomingMessage) => this.headersReceived(request.socket as Socket);
    server.on('request', headersDone);
    server.on('upgrade', headersDone);
  }

  /** Sockets per address right now (for tests and metrics). */
  openFrom(address: string): number {
    return this.open.get(address) ?? 0;
  }

  private accepted(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (this.open.get(address) ?? 0) + 1;
    if (this.options.maxPerIp > 0 && count > this.options.maxPerIp) {
      socket.on('error', () => undefined);
      socket.end(TOO_MANY);
      socket.destroySoon();
      return;
    }
    this.open.set(address, count);
    const timer = setTimeout(() => socket.destroy(), this.options.headersTimeoutMs);
    timer.unref();
    this.awaitingHeaders.set(socket, timer);
    socket.once('close', () => {
      this.headersReceived(socket);
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
  }

  private headersReceived(socket: Socket): void {
    const timer = this.awaitingHeaders.get(socket);
    if (!timer) return;
    clearTimeout(timer);
    this.awaitingHeaders.delete(socket);
  }
}
