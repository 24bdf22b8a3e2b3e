import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('chat_messages')
@Index('uq_chat_messages_client_id', ['consultationId', 'senderId', 'clientId'], { unique: true })
@Index('idx_chat_messages_consultation_created', ['consultationId', 'createdAt'])
@Index('idx_chat_messages_consultation_id', ['consultationId', 'id'])
export class ChatMessageEntity {
  /** UUIDv7: sorts in storing order, so catch-up is `id > last_message_id`. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'consultation_id', type: 'uuid' })
  consultationId!: string;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @Column({ type: 'text' })
  content!: string;

  @Column({ name: 'message_type', type: 'varchar', length: 16 })
  messageType!: string;

  /** The sender's idempotency key; NULLs never collide in the unique index, so messages without one are all kept. */
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId!: string | null;

  @Column({ name: 'created_at' })
  createdAt!: Date;
}
