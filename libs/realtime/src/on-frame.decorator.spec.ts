import 'reflect-metadata';
import { GATEWAY_METADATA, GATEWAY_OPTIONS, PORT_METADATA } from '@nestjs/websockets/constants';
import { chatEndpoint, type ClientFrameMap, notificationsEndpoint } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import { validateFrame } from './frame-validation';
import { frameHandlersOf, RealtimeEndpoint } from './on-frame.decorator';
import { WsError } from './ws-error';

@RealtimeEndpoint(notificationsEndpoint)
class NotificationsLike {
  readonly endpoint = 'notifications' as const;
  onMarkRead(_connection: ClientConnection<undefined>, _frame: ClientFrameMap['mark_read']): void {}
  onMarkAllRead(): void {}
}

describe('RealtimeEndpoint', () => {
  it("derives the handler table from the contract: one entry per client frame, the runtime's own aside", () => {
    expect(frameHandlersOf(NotificationsLike)).toEqual([
      { type: 'mark_read', dto: notificationsEndpoint.client.mark_read, method: 'onMarkRead' },
      { type: 'mark_all_read', dto: notificationsEndpoint.client.mark_all_read, method: 'onMarkAllRead' },
    ]);
  });

  it("registers the class with Nest as a gateway at the contract's route", () => {
    expect(Reflect.getMetadata(GATEWAY_METADATA, NotificationsLike)).toBe(true);
    expect(Reflect.getMetadata(PORT_METADATA, NotificationsLike)).toBe(0);
    expect(Reflect.getMetadata(GATEWAY_OPTIONS, NotificationsLike)).toEqual({ path: '/ws/notifications' });
  });
});

describe('validateFrame', () => {
  it('passes the declared fields on and drops the rest', () => {
    expect(validateFrame(chatEndpoint.client.typing, { type: 'typing', is_typing: false, junk: 1 })).toEqual({
      type: 'typing',
      is_typing: false,
    });
  });

  it('refuses with validation_failed, naming every problem', () => {
    let caught: unknown;
    try {
      validateFrame(chatEndpoint.client.chat_message, { type: 'chat_message', message: 7, client_id: 3 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WsError);
    expect(caught).toMatchObject({
      code: 'validation_failed',
      message: 'message must be a string; client_id must be a string',
    });
  });
});
