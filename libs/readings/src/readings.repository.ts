import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation, newId } from '@numerai/database';
import { ReadingEntity, ReadingNumbers } from './reading.entity';

@Injectable()
export class ReadingsRepository {
  constructor(@InjectRepository(ReadingEntity) private readonly readings: Repository<ReadingEntity>) {}

  find(userId: string, localDate: string): Promise<ReadingEntity | null> {
    return this.readings.findOneBy({ userId, localDate });
  }

  /** The day's row, inserting it if missing; concurrent callers (instances, ticks, requests) all get the one row. */
  async findOrCreate(
    userId: string,
    localDate: string,
    make: () => { numbers: ReadingNumbers; text: string },
  ): Promise<ReadingEntity> {
    const existing = await this.find(userId, localDate);
    if (existing) return existing;
    const row = this.readings.create({ id: newId(), userId, localDate, ...make(), createdAt: new Date() });
    try {
      await this.readings.insert(row);
      return row;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.find(userId, localDate))!;
    }
  }

  /** New numbers and text for an existing row; its id, day and creation time stay. */
  async rewrite(row: ReadingEntity, reading: { numbers: ReadingNumbers; text: string }): Promise<ReadingEntity> {
    await this.readings.update({ id: row.id }, reading);
    return Object.assign(row, reading);
  }
}
