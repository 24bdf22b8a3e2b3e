import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The numbers of one local calendar day, Pythagorean method (libs/readings). */
export interface ReadingNumbers {
  life_path: number;
  personal_year: number;
  personal_month: number;
  personal_day: number;
  expression: number | null;
}

/** One reading per user per local calendar day: the unique index makes concurrent creators agree on one row. */
@Entity('readings')
@Index('uq_readings_user_date', ['userId', 'localDate'], { unique: true })
export class ReadingEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** `YYYY-MM-DD` in the user's time zone on the day it was made. */
  @Column({ name: 'local_date', type: 'varchar', length: 10 })
  localDate!: string;

  @Column({ type: 'simple-json' })
  numbers!: ReadingNumbers;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'created_at' })
  createdAt!: Date;
}
