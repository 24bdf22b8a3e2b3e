import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('chat_messages')
@Index('uq_chat_messages_client_id', ['consultationId', 'senderId', 'clientId'], { unique: true })
@Index('idx_chat_messages_consultation_created', ['consultationId', 'createdAt'])
@Index('uq_chat_messages_seq', ['consultationId', 'seq'], { unique: true })
export class ChatMessageEntity {
  /** Unique, but its sort order means nothing across instances: `seq` is the position. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /**
   * Position in the consultation, 1, 2, 3, … with no gap: fixed in the transaction that stores
   * the row (consultations.last_seq), so it is the order of commits, whatever the clocks say.
   */
  @Column({ type: 'integer' })
  seq!: number;

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
