import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuthModule } from '@numerai/auth';
import { UsersModule } from '@numerai/users';
import { AccountController } from './account.controller';
import { AccountDataSections } from './account-data-sections';
import { AccountEraser } from './account-eraser';
import { AccountExporter } from './account-exporter';
import { AccountModeration } from './account-moderation';
import { AdminUsersController } from './admin-users.controller';

/**
 * Whole-account operations: erasure and export (run over every feature's AccountDataSection,
 * found by discovery, so this module reads no feature's tables), and admin blocking. A module of
 * its own so libs/users need not depend on libs/auth.
 */
@Module({
  imports: [DiscoveryModule, UsersModule, AuthModule],
  controllers: [AccountController, AdminUsersController],
  providers: [AccountDataSections, AccountEraser, AccountExporter, AccountModeration],
})
export class AccountModule {}
