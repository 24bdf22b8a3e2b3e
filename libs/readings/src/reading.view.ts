import { ApiProperty } from '@nestjs/swagger';
import type { ReadingEntity, ReadingNumbers } from './reading.entity';

export class ReadingView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026-12-02', description: 'the local calendar day (user time_zone)' }) date!: string;
  @ApiProperty({
    example: { life_path: 7, personal_year: 3, personal_month: 6, personal_day: 9, expression: 11 },
    description: 'Pythagorean numbers; expression is null without a countable birth_name',
  })
  numbers!: ReadingNumbers;
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toReadingView(reading: ReadingEntity): ReadingView {
  return {
    id: reading.id,
    date: reading.localDate,
    numbers: reading.numbers,
    text: reading.text,
    created_at: reading.createdAt.toISOString(),
  };
}
