export * from './chat.module';
export * from './chat-core.module';
export * from './chat.service';
export * from './message-writer';
export * from './chat-messages.repository';
export * from './chat-message.view';
