import { ChatService } from '@numerai/chat';
import { NotificationsService } from '@numerai/notifications';
import { chatStream, notificationsStream } from '@numerai/protocol';
import { createConsultation, createUser, type TestApp, type TestUser } from '@numerai/testing';
import { journalStream } from './journal/journal.stream';
import { JournalModule, JournalSource } from './journal/journal.source';
import { describeStream } from './support/stream-suite';

/** A REST-registered user as the principal a service call acts for. */
const principal = (user: TestUser) => ({ id: user.id, name: user.name, role: user.role, exp: 2e9, sid: 'suite' });

describeStream({
  stream: chatStream,
  async open(app) {
    const { consultation, client, numerologist } = await createConsultation(app);
    const room = { consultationId: consultation.id, participantIds: [client.id, numerologist.id] as [string, string] };
    return {
      reader: client,
      params: { consultation_id: consultation.id },
      produce: async (on: TestApp, text: string) => {
        await on.app.get(ChatService).send(principal(numerologist), room, text);
      },
    };
  },
});

/** A stream of the reader's own (keyed by the user), whose items `store` writes for that user through `on`. */
function ownStream(store: (on: TestApp, userId: string, text: string) => Promise<unknown>) {
  return async (app: TestApp) => {
    const reader = await createUser(app);
    return {
      reader,
      params: {},
      produce: async (on: TestApp, text: string) => void (await store(on, reader.id, text)),
    };
  };
}

describeStream({
  stream: notificationsStream,
  open: ownStream((on, userId, text) =>
    on.app.get(NotificationsService).notify(userId, { title: text, message: text, notification_type: 'system' }),
  ),
});

describeStream({
  stream: journalStream,
  imports: [JournalModule],
  open: ownStream((on, userId, text) => on.app.get(JournalSource).write(userId, text)),
});
