import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { CloseCode } from '@numerai/protocol';
import { ConnectionCloser } from './connection-closer';
import { ConnectionRegistry } from './connection-registry';
import { FrameDispatcher } from './frame-dispatcher';
import { UpgradeGate } from './upgrade-gate';

/** Longest wait for work in flight, and for clients to answer the close, before sockets are cut. */
const MAX_IN_FLIGHT_WAIT_MS = 3000;
const CLOSE_WAIT_MS = 1500;

/** Graceful shutdown of every endpoint: stop admitting, let frames in flight finish, then close every socket with 1001. */
@Injectable()
export class RealtimeShutdown implements BeforeApplicationShutdown {
  constructor(
    private readonly config: AppConfig,
    private readonly gate: UpgradeGate,
    private readonly registry: ConnectionRegistry,
    private readonly dispatcher: FrameDispatcher,
    private readonly closer: ConnectionCloser,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.gate.close();
    this.closer.stopWatching();
    const deadline = Date.now() + Math.min(MAX_IN_FLIGHT_WAIT_MS, this.config.shutdownTimeoutMs / 2);
    while (this.dispatcher.pending > 0 && Date.now() < deadline) await delay(10);
    const closing = [...this.registry.all()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => resolve());
          connection.socket.close(CloseCode.GoingAway, 'Server shutting down');
        }),
    );
    await Promise.race([Promise.all(closing), delay(CLOSE_WAIT_MS)]);
    for (const connection of [...this.registry.all()]) {
      connection.socket.terminate();
      this.closer.release(connection);
    }
  }
}

/** A wait that never keeps the process alive on its own (shutdown must be able to finish early). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
