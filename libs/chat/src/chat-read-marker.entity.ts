import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ConsultationEntity } from '@numerai/consultations';
import { UserEntity } from '@numerai/users';

/** How far one participant has read one consultation; only ever moves forward. */
@Entity('chat_read_markers')
export class ChatReadMarkerEntity {
  @PrimaryColumn({ name: 'consultation_id', type: 'uuid' })
  consultationId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'last_read_message_id', type: 'uuid' })
  lastReadMessageId!: string;

  /** That message's `seq`: what the marker is compared by (ids do not sort by position). */
  @Column({ name: 'last_read_seq', type: 'integer' })
  lastReadSeq!: number;

  @Column({ name: 'read_at' })
  readAt!: Date;

  // Foreign keys only (never loaded): a marker means nothing without its consultation or its reader.
  @ManyToOne(() => ConsultationEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'consultation_id', foreignKeyConstraintName: 'fk_chat_read_markers_consultation' })
  consultation?: ConsultationEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_chat_read_markers_user' })
  user?: UserEntity;
}
