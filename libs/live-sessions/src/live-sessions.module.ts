import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AvailabilityModule } from '@numerai/availability';
import { ChatCoreModule } from '@numerai/chat';
import { ConsultationsModule } from '@numerai/consultations';
import { NotificationsModule } from '@numerai/notifications';
import { UsersModule } from '@numerai/users';
import { WalletModule } from '@numerai/wallet';
import { LiveSessionClock } from './live-session-clock.job';
import { LiveSessionEffects } from './live-session-effects';
import { LiveSessionEntity } from './live-session.entity';
import { LiveSessionSockets } from './live-session-sockets';
import { LiveSessionViews } from './live-session.view';
import { LiveSessionsAccountData } from './live-sessions-account-data';
import { LiveSessionsController } from './live-sessions.controller';
import { LiveSessionsRepository } from './live-sessions.repository';
import { LiveSessionsService } from './live-sessions.service';

/** Live per-minute chat sessions (issue 28): requested, accepted, clocked and charged by the minute, ended. */
@Module({
  imports: [
    TypeOrmModule.forFeature([LiveSessionEntity]),
    AvailabilityModule,
    ChatCoreModule,
    ConsultationsModule,
    NotificationsModule,
    UsersModule,
    WalletModule,
  ],
  controllers: [LiveSessionsController],
  providers: [
    LiveSessionClock,
    LiveSessionEffects,
    LiveSessionSockets,
    LiveSessionViews,
    LiveSessionsAccountData,
    LiveSessionsRepository,
    LiveSessionsService,
  ],
})
export class LiveSessionsModule {}
