import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ConsultationEntity } from '@numerai/consultations';
import { UserEntity } from '@numerai/users';

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

  /** `text` (a participant wrote it) or `system` (the consultation reports a lifecycle step). */
  @Column({ name: 'message_type', type: 'varchar', length: 16 })
  messageType!: string;

  /** System messages only: which step (`consultation_booked`, `consultation_started`, …). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  event!: string | null;

  /** The sender's idempotency key; NULLs never collide in the unique index, so messages without one are all kept. */
  @Column({ name: 'client_id', type: 'varchar', length: 64, nullable: true })
  clientId!: string | null;

  @Column({ name: 'created_at' })
  createdAt!: Date;

  // Foreign keys only (never loaded): a consultation's messages go with it; a sender is anonymised, never deleted.
  @ManyToOne(() => ConsultationEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'consultation_id', foreignKeyConstraintName: 'fk_chat_messages_consultation' })
  consultation?: ConsultationEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'sender_id', foreignKeyConstraintName: 'fk_chat_messages_sender' })
  sender?: UserEntity;
}
