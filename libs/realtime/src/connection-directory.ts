import { Injectable } from '@nestjs/common';
import type { Principal } from '@numerai/common';
import type { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';

export interface UserConnectivityListener {
  /** The user's first connection in the whole cluster opened. */
  userConnected(user: Principal): void;
  /** The user's last connection in the whole cluster closed. */
  userDisconnected(userId: string): void;
}

/**
 * Cluster-wide answers about connections: how many a user holds (for the per-user cap
 * and presence) and whether they have a socket in a shared room, e.g. a consultation's
 * chat (to decide on a notification). It knows rooms and users, no feature. The in-process
 * implementation answers from the local registry; the Redis one (scale-out) counts across
 * instances.
 */
export abstract class ConnectionDirectory {
  protected readonly listeners: UserConnectivityListener[] = [];

  subscribe(listener: UserConnectivityListener): void {
    this.listeners.push(listener);
  }

  abstract connectionCount(userId: string): Promise<number>;
  /** Whether `userId` has a connection in registry room `room` (e.g. `chat:<consultation>`) anywhere. */
  abstract hasRoomConnection(userId: string, room: string): Promise<boolean>;
  /**
   * Called after the registry added the connection; the first frame waits for it (with the
   * bus following the connection's channels, see ConnectionAdmission), so a connection is
   * counted before its catch-up runs.
   */
  abstract opened(connection: ClientConnection): Promise<void>;
  abstract closed(connection: ClientConnection): void;
  /** Users with at least one connection anywhere, among `userIds`. */
  abstract onlineAmong(userIds: string[]): Promise<Set<string>>;
}

@Injectable()
export class InProcessConnectionDirectory extends ConnectionDirectory {
  constructor(private readonly registry: ConnectionRegistry) {
    super();
  }

  async connectionCount(userId: string): Promise<number> {
    return this.registry.countForUser(userId);
  }

  async hasRoomConnection(userId: string, room: string): Promise<boolean> {
    return this.registry.inRoom(userId, room);
  }

  async onlineAmong(userIds: string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.registry.countForUser(id) > 0));
  }

  /** In one process every event is heard already. */
  opened(connection: ClientConnection): Promise<void> {
    if (this.registry.countForUser(connection.userId) === 1) {
      for (const listener of this.listeners) listener.userConnected(connection.user);
    }
    return Promise.resolve();
  }

  /** Called after the registry removed the connection. */
  closed(connection: ClientConnection): void {
    if (this.registry.countForUser(connection.userId) === 0) {
      for (const listener of this.listeners) listener.userDisconnected(connection.userId);
    }
  }
}
