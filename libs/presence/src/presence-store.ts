import { Injectable } from '@nestjs/common';

/**
 * Which users have been announced online, and when each was last seen. Shared by all
 * instances in the scaled-out setup (Redis), so an instance that sees a user come back
 * knows whether the rest of the cluster was ever told they left.
 */
export abstract class PresenceStore {
  /** Records the user as announced online; true if they were not (so announce it now). */
  abstract markOnline(userId: string): Promise<boolean>;
  /** Records the user as gone; true if they had been announced online (so announce offline now). */
  abstract markOffline(userId: string, lastSeen: Date): Promise<boolean>;
  /** Those of `userIds` announced online and not yet marked offline: online, or inside the grace period. */
  abstract announcedAmong(userIds: string[]): Promise<Set<string>>;
  abstract lastSeen(userIds: string[]): Promise<Map<string, string>>;
}

@Injectable()
export class InProcessPresenceStore extends PresenceStore {
  private readonly online = new Set<string>();
  private readonly seen = new Map<string, string>();

  async markOnline(userId: string): Promise<boolean> {
    if (this.online.has(userId)) return false;
    this.online.add(userId);
    return true;
  }

  async markOffline(userId: string, lastSeen: Date): Promise<boolean> {
    this.seen.set(userId, lastSeen.toISOString());
    return this.online.delete(userId);
  }

  async announcedAmong(userIds: string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.online.has(id)));
  }

  async lastSeen(userIds: string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const id of userIds) {
      const seen = this.seen.get(id);
      if (seen) result.set(id, seen);
    }
    return result;
  }
}
