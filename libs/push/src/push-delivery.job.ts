import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@numerai/config';
import type { PushDeliveryEntity } from './push-delivery.entity';
import { consultationRoom } from '@numerai/events';
import { notificationsEndpoint } from '@numerai/protocol';
import { ConnectionDirectory } from '@numerai/realtime';
import { Clock, JobRunner, ScheduledJob } from '@numerai/scheduler';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { describeError } from './describe-error';
import { forEachConcurrently } from './for-each-concurrently';
import { PushDeliveriesRepository } from './push-deliveries.repository';
import { PushSender } from './push-sender';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { backoffMs, MAX_RETRY_DELAY_MS } from './retry-after';

/** Rows one sweep takes per query, and how many queries at most (the next run takes the rest). */
const PAGE = 100;
const MAX_PAGES = 10;

/**
 * Sends what the push outbox has due. Registered with the scheduler, so every instance (or
 * the BullMQ worker that takes the tick) sweeps every SCHEDULER_TICK_MS and a push queued by
 * an instance that died is still sent; the instance that queued it, or set a retry, also
 * wakes it at the due time, so the grace and `Retry-After` are kept without waiting a tick.
 * Each row is claimed before it is sent (see PushDeliveriesRepository.claim): once per
 * (notification, subscription) however many sweeps overlap.
 */
@Injectable()
export class PushDeliveryJob implements ScheduledJob, OnModuleInit, OnApplicationShutdown {
  readonly name = 'push-deliveries';
  private readonly logger: ContextLogger;
  private readonly timers = new Set<NodeJS.Timeout>();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly runner: JobRunner,
    private readonly deliveries: PushDeliveriesRepository,
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly sender: PushSender,
    private readonly directory: ConnectionDirectory,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('Push');
  }

  onModuleInit(): void {
    this.runner.register(this);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.running;
  }

  /**
   * Runs a sweep here once `due` has come (what is due then is sent then, not a tick later).
   * A timer may fire before the clock shows `due`: Node measures it from the event loop's
   * cached time, which lags the clock by however long the current turn has run. Such a sweep
   * would find the row not due yet and nothing would wake it again until the next tick, so an
   * early timer waits for the rest instead.
   */
  wakeAt(due: Date): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (due.getTime() > this.clock.now().getTime()) return this.wakeAt(due);
        this.run().catch((error: unknown) => this.logger.error(`push sweep failed: ${describeError(error)}`));
      },
      Math.max(0, due.getTime() - this.clock.now().getTime()),
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** One sweep at a time here; a wake-up during one makes it sweep once more. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.sweepUntilQuiet().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepUntilQuiet(): Promise<void> {
    do {
      this.again = false;
      await this.sweep();
    } while (this.again && !this.stopped);
  }

  private async sweep(): Promise<void> {
    for (let page = 0; page < MAX_PAGES && !this.stopped; page++) {
      const due = await this.deliveries.due(this.clock.now(), PAGE);
      // A few at a time (PUSH_SEND_CONCURRENCY): each send holds a socket and a request's buffers.
      await forEachConcurrently(due, this.config.push.sendConcurrency, (row) => this.deliver(row));
      if (due.length < PAGE) return;
    }
  }

  private async deliver(row: PushDeliveryEntity): Promise<void> {
    if (!(await this.deliveries.claim(row, this.clock.now()))) return; // another run has it
    const attempt = row.attempts + 1;
    const subscription = await this.subscriptions.byId(row.subscriptionId);
    if (!subscription || (await this.seenInApp(row))) {
      await this.deliveries.finish(row.id);
      return;
    }
    const outcome = await this.sender.send(subscription, row.payload);
    switch (outcome.kind) {
      case 'delivered':
        await this.deliveries.finish(row.id);
        return;
      case 'gone':
        // The browser unsubscribed or the service forgot it: its queued pushes go with it (cascade).
        this.logger.log(`push subscription ${subscription.id} is gone (${outcome.status}); deleted`);
        await this.subscriptions.delete(subscription.id);
        return;
      case 'rejected':
        this.logger.warn(`push to subscription ${subscription.id} refused (${outcome.status}); dropped`);
        await this.deliveries.finish(row.id);
        return;
      case 'refused':
        // Never requested, so nothing about the address is learnt; the subscription stays (a setting may change).
        this.logger.warn(`push to subscription ${subscription.id} not sent: ${outcome.reason}; dropped`);
        await this.deliveries.finish(row.id);
        return;
      case 'retry': {
        const delay = outcome.afterMs ?? backoffMs(attempt);
        if (attempt >= this.config.push.maxAttempts || delay > MAX_RETRY_DELAY_MS) {
          this.logger.warn(`push to subscription ${subscription.id} given up after ${attempt} attempt(s)`);
          await this.deliveries.finish(row.id);
          return;
        }
        const due = new Date(this.clock.now().getTime() + delay);
        await this.deliveries.retryAt(row.id, due);
        this.wakeAt(due);
      }
    }
  }

  /** Open anywhere in the cluster, the notifications socket (or, for a message, that chat) has shown it. */
  private async seenInApp(row: PushDeliveryEntity): Promise<boolean> {
    if (await this.directory.hasRoomConnection(row.userId, notificationsEndpoint.room(row.userId))) return true;
    return (
      row.consultationId !== null &&
      (await this.directory.hasRoomConnection(row.userId, consultationRoom(row.consultationId)))
    );
  }
}
