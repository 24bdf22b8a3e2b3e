import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsultationEntity } from './consultation.entity';
import { UsersModule } from '@numerai/users';
import { ConsultationsAccountData } from './consultations-account-data';
import { BookingLimit } from './booking-limit';
import { ClientLock } from './client-lock';
import { ConsultationsController } from './consultations.controller';
import { ConsultationsRepository } from './consultations.repository';
import { ConsultationsService } from './consultations.service';

@Module({
  imports: [TypeOrmModule.forFeature([ConsultationEntity]), UsersModule],
  controllers: [ConsultationsController],
  providers: [ConsultationsAccountData, BookingLimit, ClientLock, ConsultationsRepository, ConsultationsService],
  exports: [ConsultationsService],
})
export class ConsultationsModule {}
