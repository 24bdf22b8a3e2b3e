import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AvailabilityAccountData } from './availability-account-data';
import { AvailabilityGateway } from './availability.gateway';
import { AvailabilityListing } from './availability-listing';
import { AvailabilityController, AvailableNumerologistsController } from './availability.controller';
import { AvailabilityRepository } from './availability.repository';
import { AvailabilityService } from './availability.service';
import { AvailabilitySweepJob } from './availability-sweep.job';
import { NumerologistAvailabilityEntity } from './numerologist-availability.entity';

/** Numerologists' public opt-in to live sessions and their per-minute rates (issue 28). PresenceService comes from the global PresenceModule. */
@Module({
  imports: [TypeOrmModule.forFeature([NumerologistAvailabilityEntity])],
  controllers: [AvailabilityController, AvailableNumerologistsController],
  providers: [
    AvailabilityAccountData,
    AvailabilityGateway,
    AvailabilityListing,
    AvailabilityRepository,
    AvailabilityService,
    AvailabilitySweepJob,
  ],
  exports: [AvailabilityService],
})
export class AvailabilityModule {}
