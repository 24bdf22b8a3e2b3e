import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Principal } from '@numerai/common';
import { AppConfig } from '@numerai/config';
import { ConsultationsService, isChatOpen } from '@numerai/consultations';
import { EventBus } from '@numerai/events';
import type { PresenceUser } from '@numerai/protocol';
import { ConnectionDirectory, UserConnectivityListener } from '@numerai/realtime';
import { UsersService } from '@numerai/users';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { PresenceStore } from './presence-store';

/**
 * Online = at least one authenticated connection anywhere, or the last one closed less than
 * the grace period ago (announced online, not yet offline): one notion for the snapshot, the
 * events and REST, so a viewer who connects during someone's reload sees them online. Announces
 * `online` on the first connection, `offline` only after the last has stayed closed for the
 * grace period (so a reload does not flap), and only ever to contacts: users who share an
 * active consultation (the numerologist accepted it).
 */
@Injectable()
export class PresenceService implements UserConnectivityListener, OnModuleInit, OnModuleDestroy {
  private readonly logger: ContextLogger;
  private readonly leaving = new Map<string, NodeJS.Timeout>();
  private readonly offlineListeners: ((userId: string) => Promise<void>)[] = [];

  constructor(
    private readonly directory: ConnectionDirectory,
    private readonly store: PresenceStore,
    private readonly consultations: ConsultationsService,
    private readonly users: UsersService,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('Presence');
  }

  onModuleInit(): void {
    this.directory.subscribe(this);
    // Once, on the instance that made the change: the event reaches every instance.
    this.events.onOrigin('consultation.status_changed', ({ status, participant_ids }) => {
      if (status === 'active') this.run(() => this.startContact(participant_ids));
      else if (!isChatOpen(status)) this.run(() => this.endContactIfLast(participant_ids));
    });
  }

  onModuleDestroy(): void {
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
  }

  userConnected(user: Principal): void {
    const timer = this.leaving.get(user.id);
    if (timer) {
      clearTimeout(timer);
      this.leaving.delete(user.id);
    }
    this.run(async () => {
      if (!(await this.store.markOnline(user.id))) return;
      await this.announce(user.id, user.name, true, null);
    });
  }

  userDisconnected(userId: string): void {
    if (this.leaving.has(userId)) return;
    // last_seen is when the last connection closed, not when the grace period ran out.
    const lastSeen = new Date();
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      this.run(() => this.goOfflineIfGone(userId, lastSeen));
    }, this.config.presence.graceMs);
    timer.unref();
    this.leaving.set(userId, timer);
  }

  /**
   * Calls `listener` once per user going offline (the last connection stayed closed for the
   * grace period), on the one instance that decided it, whether or not they have contacts to
   * tell. How features outside presence react to it (availability) without presence knowing them.
   */
  onWentOffline(listener: (userId: string) => Promise<void>): void {
    this.offlineListeners.push(listener);
  }

  /** Contacts of the user who are online right now, with names: the `presence_state` snapshot. */
  async onlineContacts(userId: string): Promise<PresenceUser[]> {
    const contacts = await this.consultations.contactIds(userId);
    const online = await this.onlineAmong(contacts);
    const users = await this.users.findByIds([...online]);
    return users.map((user) => ({ user_id: user.id, user_name: user.fullName }));
  }

  /** REST view: only ids that are contacts of the caller; others are silently left out. */
  async lookup(userId: string, requested: string[] | undefined) {
    const contacts = await this.consultations.contactIds(userId);
    const ids = requested ? contacts.filter((id) => requested.includes(id)) : contacts;
    const [online, seen] = await Promise.all([this.onlineAmong(ids), this.store.lastSeen(ids)]);
    return ids.map((id) => ({
      user_id: id,
      online: online.has(id),
      last_seen: online.has(id) ? null : (seen.get(id) ?? null),
    }));
  }

  /** Who of `userIds` is online: holds a connection, or is still announced (inside the grace period). */
  async onlineAmong(userIds: string[]): Promise<Set<string>> {
    const [connected, announced] = await Promise.all([
      this.directory.onlineAmong(userIds),
      this.store.announcedAmong(userIds),
    ]);
    return new Set([...connected, ...announced]);
  }

  /** A consultation became active (the numerologist's consent): each side sees the other if they are online. */
  private async startContact([clientId, numerologistId]: [string, string]): Promise<void> {
    if (!(await this.consultations.contactIds(clientId)).includes(numerologistId)) return;
    const online = await this.onlineAmong([clientId, numerologistId]);
    const users = await this.users.findByIds([...online]);
    for (const user of users) {
      this.events.publish('presence.changed', {
        user_id: user.id,
        user_name: user.fullName,
        online: true,
        last_seen: null,
        recipient_ids: [user.id === clientId ? numerologistId : clientId],
      });
    }
  }

  /**
   * A consultation ended: if it was the pair's last open one, each side sees the other go
   * offline once, and (no longer a contact) hears nothing more about them, not even last_seen.
   */
  private async endContactIfLast([clientId, numerologistId]: [string, string]): Promise<void> {
    if ((await this.consultations.contactIds(clientId)).includes(numerologistId)) return;
    for (const [viewer, subject] of [
      [clientId, numerologistId],
      [numerologistId, clientId],
    ]) {
      this.events.publish('presence.changed', {
        user_id: subject,
        user_name: '',
        online: false,
        last_seen: null,
        recipient_ids: [viewer],
      });
    }
  }

  private async goOfflineIfGone(userId: string, lastSeen: Date): Promise<void> {
    if ((await this.directory.connectionCount(userId)) > 0) return;
    if (!(await this.store.markOffline(userId, lastSeen))) return;
    for (const listener of this.offlineListeners) this.run(() => listener(userId));
    await this.announce(userId, '', false, lastSeen.toISOString());
    // A connection that opened between the count and markOffline found the user still announced
    // and said nothing: announce them again, or they would stay offline while connected.
    if ((await this.directory.connectionCount(userId)) === 0 || !(await this.store.markOnline(userId))) return;
    const [user] = await this.users.findByIds([userId]);
    await this.announce(userId, user?.fullName ?? '', true, null);
  }

  private async announce(userId: string, userName: string, online: boolean, lastSeen: string | null): Promise<void> {
    const recipients = await this.consultations.contactIds(userId);
    if (recipients.length === 0) return;
    this.events.publish('presence.changed', {
      user_id: userId,
      user_name: userName,
      online,
      last_seen: lastSeen,
      recipient_ids: recipients,
    });
  }

  private run(work: () => Promise<void>): void {
    work().catch((error: unknown) => this.logger.error(error instanceof Error ? error : String(error)));
  }
}
