import { DataSource } from 'typeorm';
import { PushDeliveryEntity } from '@numerai/push';
import { NotificationsService } from '@numerai/notifications';
import type { NotificationData } from '@numerai/protocol';
import { createUser, TestUser } from '../../support/factories';
import { http } from '../../support/http';
import type { TestServer } from '../../support/server';
import { waitFor } from '../../support/wait-for';
import { PushService } from './push-service';

/** A server and a local push service that trusts its VAPID key; helpers the push suites share. */
export class PushFixture {
  private constructor(
    readonly server: TestServer,
    readonly pushService: PushService,
  ) {}

  static async start(server: TestServer): Promise<PushFixture> {
    const key = await http(server.httpUrl, 'GET', '/api/push/vapid-public-key');
    return new PushFixture(server, await PushService.start(key.body.public_key));
  }

  async close(): Promise<void> {
    await this.pushService.close();
  }

  /** A fresh user whose browser `name` is subscribed. */
  async subscribedUser(name: string, user?: TestUser): Promise<TestUser> {
    const owner = user ?? (await createUser(this.server));
    const res = await http(this.server.httpUrl, 'POST', '/api/push/subscriptions', {
      token: owner.token,
      body: this.pushService.subscription(name),
    });
    if (res.status !== 201) throw new Error(`subscribe failed: ${res.status} ${JSON.stringify(res.body)}`);
    return owner;
  }

  /** A notification through the one way modules notify (as an admin's or a job's would be). */
  async notify(user: TestUser, title: string, type = 'announcement'): Promise<NotificationData> {
    const stored = await this.server.app
      .get(NotificationsService)
      .notify(user.id, { title, message: `${title}: details`, notification_type: type });
    if (!stored) throw new Error(`${type} is switched off for ${user.id}`);
    return stored;
  }

  /** Pushes waiting in the outbox for this user. */
  queued(user: TestUser): Promise<number> {
    return this.server.app.get(DataSource).getRepository(PushDeliveryEntity).countBy({ userId: user.id });
  }

  /** Waits until the user's outbox holds `count` pushes (queueing follows the notification asynchronously). */
  async waitQueued(user: TestUser, count = 1): Promise<void> {
    await waitFor(`${count} push(es) queued for ${user.name}`, async () => (await this.queued(user)) === count);
  }
}
