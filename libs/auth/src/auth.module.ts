import { Module } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@numerai/config';
import { RefreshTokenEntity, SessionEntity } from './sessions/session.entity';
import { UsersModule } from '@numerai/users';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { Authenticator } from './authenticator';
import { JwtAuthGuard } from './jwt-auth.guard';
import { PasswordHasher } from './password-hasher';
import { RolesGuard } from './roles.guard';
import { SessionService } from './sessions/session.service';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsRepository } from './sessions/sessions.repository';
import { TokenService } from './token.service';
import { SessionsAccountData } from './sessions/sessions-account-data';

@Module({
  imports: [
    UsersModule,
    TypeOrmModule.forFeature([SessionEntity, RefreshTokenEntity]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a
        // public key and throws, on every verify — the dominant cost of a connect storm.
        secret: createSecretKey(Buffer.from(config.jwt.secret, 'utf8')),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, SessionsController],
  providers: [
    AuthService,
    Authenticator,
    JwtAuthGuard,
    PasswordHasher,
    RolesGuard,
    SessionService,
    SessionsAccountData,
    SessionsRepository,
    TokenService,
  ],
  exports: [AuthService, Authenticator, JwtAuthGuard, PasswordHasher, RolesGuard, SessionService, TokenService],
})
export class AuthModule {}
