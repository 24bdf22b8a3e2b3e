import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReadingEntity } from './reading.entity';
import { NotificationsModule } from '@numerai/notifications';
import { UsersModule } from '@numerai/users';
import { DailyReadingJob } from './daily-reading.job';
import { ReadingsController } from './readings.controller';
import { ReadingsRepository } from './readings.repository';
import { ReadingsService } from './readings.service';
import { ReadingsAccountData } from './readings-account-data';

/** Daily numerology readings: the numbers, the stored reading of each local day, and its notification. */
@Module({
  imports: [TypeOrmModule.forFeature([ReadingEntity]), UsersModule, NotificationsModule],
  controllers: [ReadingsController],
  providers: [ReadingsAccountData, ReadingsRepository, ReadingsService, DailyReadingJob],
  exports: [ReadingsService],
})
export class ReadingsModule {}
