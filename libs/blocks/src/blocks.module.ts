import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConsultationsModule } from '@numerai/consultations';
import { UserBlockEntity } from './user-block.entity';
import { UsersModule } from '@numerai/users';
import { BlocksController } from './blocks.controller';
import { BlocksRepository } from './blocks.repository';
import { BlocksService } from './blocks.service';
import { BlocksAccountData } from './blocks-account-data';

/** A numerologist's blocks of clients: REST, and the booking guard that enforces them. */
@Module({
  imports: [TypeOrmModule.forFeature([UserBlockEntity]), ConsultationsModule, UsersModule],
  controllers: [BlocksController],
  providers: [BlocksAccountData, BlocksRepository, BlocksService],
})
export class BlocksModule {}
