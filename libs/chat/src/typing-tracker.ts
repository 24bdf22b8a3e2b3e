import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import { EventBus } from '@numerai/events';

interface Typist {
  userName: string;
  timer: NodeJS.Timeout;
}

/**
 * Who is typing where, on this instance. Publishes every change and the automatic
 * `is_typing:false` when a typist goes quiet for the timeout or closes their last chat.
 */
@Injectable()
export class TypingTracker implements OnModuleDestroy {
  private readonly typists = new Map<string, Typist>();

  constructor(
    private readonly events: EventBus,
    private readonly config: AppConfig,
  ) {}

  set(consultationId: string, userId: string, userName: string, isTyping: boolean): void {
    const key = `${consultationId}:${userId}`;
    const current = this.typists.get(key);
    if (current) clearTimeout(current.timer);
    if (isTyping) {
      const timer = setTimeout(() => this.stop(consultationId, userId), this.config.ws.typingTimeoutMs);
      timer.unref();
      this.typists.set(key, { userName, timer });
    } else {
      this.typists.delete(key);
    }
    this.publish(consultationId, userId, userName, isTyping);
  }

  /** Ends typing if the user was typing; silent otherwise. */
  stop(consultationId: string, userId: string): void {
    const key = `${consultationId}:${userId}`;
    const current = this.typists.get(key);
    if (!current) return;
    clearTimeout(current.timer);
    this.typists.delete(key);
    this.publish(consultationId, userId, current.userName, false);
  }

  private publish(consultationId: string, userId: string, userName: string, isTyping: boolean): void {
    this.events.publish('chat.typing', {
      consultation_id: consultationId,
      user_id: userId,
      user_name: userName,
      is_typing: isTyping,
    });
  }

  onModuleDestroy(): void {
    for (const typist of this.typists.values()) clearTimeout(typist.timer);
    this.typists.clear();
  }
}
