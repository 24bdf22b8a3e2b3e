import type { TestSocket } from './test-socket';

/**
 * The sockets a suite still holds, whichever client (or instance) opened them, so they close
 * together after each test even when an assertion failed half-way:
 * `const opened = new OpenSockets(); afterEach(() => opened.closeAll());` and
 * `testClient(app, { track: opened })`.
 */
export class OpenSockets {
  private readonly sockets = new Set<TestSocket>();

  add(socket: TestSocket): void {
    this.sockets.add(socket);
    // One the server (or the test) closed needs no closing later.
    void socket.closed.then(() => this.sockets.delete(socket));
  }

  async closeAll(): Promise<void> {
    const open = [...this.sockets];
    this.sockets.clear();
    await Promise.all(open.map((socket) => socket.close()));
  }
}
