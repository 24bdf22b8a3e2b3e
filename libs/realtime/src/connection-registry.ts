import { Injectable } from '@nestjs/common';
import { realtimeMetrics } from '@numerai/metrics';
import type { ServerFrame } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';

/** This instance's open connections, by room and by user. Cluster-wide questions go to ConnectionDirectory. */
@Injectable()
export class ConnectionRegistry {
  private readonly rooms = new Map<string, Set<ClientConnection>>();
  private readonly users = new Map<string, Set<ClientConnection>>();
  private readonly connections = new Set<ClientConnection>();

  add(connection: ClientConnection): void {
    this.connections.add(connection);
    addTo(this.rooms, connection.room, connection);
    addTo(this.users, connection.userId, connection);
    realtimeMetrics.connectionOpened(connection.endpoint);
  }

  remove(connection: ClientConnection): boolean {
    if (!this.connections.delete(connection)) return false;
    removeFrom(this.rooms, connection.room, connection);
    removeFrom(this.users, connection.userId, connection);
    realtimeMetrics.connectionClosed(connection.endpoint);
    return true;
  }

  room(room: string): ReadonlySet<ClientConnection> | undefined {
    return this.rooms.get(room);
  }

  /** Whether `userId` has a connection here in `room`. */
  inRoom(userId: string, room: string): boolean {
    const members = this.rooms.get(room);
    if (!members) return false;
    for (const connection of members) if (connection.userId === userId) return true;
    return false;
  }

  ofUser(userId: string): ReadonlySet<ClientConnection> | undefined {
    return this.users.get(userId);
  }

  countForUser(userId: string): number {
    return this.users.get(userId)?.size ?? 0;
  }

  all(): ReadonlySet<ClientConnection> {
    return this.connections;
  }

  get size(): number {
    return this.connections.size;
  }

  /**
   * Sends one frame to every connection in a room that passes `accept`, serialising it
   * once however many recipients there are. Returns how many got it.
   */
  broadcast(room: string, frame: ServerFrame, accept?: (connection: ClientConnection) => boolean): number {
    return this.broadcastToRooms([room], frame, accept);
  }

  /** The same frame to several rooms (e.g. every contact's presence sockets), serialised once. */
  broadcastToRooms(
    rooms: Iterable<string>,
    frame: ServerFrame,
    accept?: (connection: ClientConnection) => boolean,
  ): number {
    let payload: Buffer | undefined;
    let sent = 0;
    for (const room of rooms) {
      const members = this.rooms.get(room);
      if (!members) continue;
      payload ??= Buffer.from(JSON.stringify(frame));
      for (const connection of members) {
        if (accept && !accept(connection)) continue;
        connection.deliver(frame, payload);
        sent++;
      }
    }
    if (sent > 0) realtimeMetrics.framesOut(frame.type, sent);
    return sent;
  }
}

function addTo(map: Map<string, Set<ClientConnection>>, key: string, connection: ClientConnection): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(connection);
}

function removeFrom(map: Map<string, Set<ClientConnection>>, key: string, connection: ClientConnection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) map.delete(key);
}
