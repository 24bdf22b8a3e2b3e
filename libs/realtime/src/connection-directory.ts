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
 * and presence) and whether they have a chat open to a consultation (to decide on a
 * notification). The in-process implementation answers from the local registry; the
 * Redis one (scale-out) counts across instances.
 */
export abstract class ConnectionDirectory {
  protected readonly listeners: UserConnectivityListener[] = [];

  subscribe(listener: UserConnectivityListener): void {
    this.listeners.push(listener);
  }

  abstract connectionCount(userId: string): Promise<number>;
  abstract hasChatConnection(userId: string, consultationId: string): Promise<boolean>;
  /** Whether the user has a `/ws/notifications/` socket open anywhere (Web Push goes only to those without). */
  abstract hasNotificationsConnection(userId: string): Promise<boolean>;
  abstract opened(connection: ClientConnection): void;
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

  async hasChatConnection(userId: string, consultationId: string): Promise<boolean> {
    const room = this.registry.room(`chat:${consultationId}`);
    if (!room) return false;
    for (const connection of room) if (connection.userId === userId) return true;
    return false;
  }

  async hasNotificationsConnection(userId: string): Promise<boolean> {
    return (this.registry.room(`notifications:${userId}`)?.size ?? 0) > 0;
  }

  async onlineAmong(userIds: string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.registry.countForUser(id) > 0));
  }

  /** Called after the registry added the connection. */
  opened(connection: ClientConnection): void {
    if (this.registry.countForUser(connection.userId) === 1) {
      for (const listener of this.listeners) listener.userConnected(connection.user);
    }
  }

  /** Called after the registry removed the connection. */
  closed(connection: ClientConnection): void {
    if (this.registry.countForUser(connection.userId) === 0) {
      for (const listener of this.listeners) listener.userDisconnected(connection.userId);
    }
  }
}
