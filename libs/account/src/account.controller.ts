import { Body, Controller, Delete, Get, HttpCode, SetMetadata, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AuthService, PasswordConfirmationDto } from '@numerai/auth';
import { ApiErrors, CurrentUser, Principal } from '@numerai/common';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { AUTH_ATTEMPT_ROUTES } from '@numerai/rate-limit';
import { AccountEraser } from './account-eraser';
import { AccountExporter } from './account-exporter';

/** The caller's own account as a whole: erase it, or take a copy of everything stored about it. */
@ApiTags('users')
// Password checks are credential guessing with a stolen access token: they spend the
// AUTH_RATE_LIMIT_PER_MINUTE budget (per user here), not the large per-user request budget.
@SetMetadata(AUTH_ATTEMPT_ROUTES, true)
@ApiErrors({ rate_limited: 'More than AUTH_RATE_LIMIT_PER_MINUTE calls by this user' })
@Controller('api/users/me')
export class AccountController {
  private readonly logger: ContextLogger;

  constructor(
    private readonly auth: AuthService,
    private readonly eraser: AccountEraser,
    private readonly exporter: AccountExporter,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('AccountController');
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Erase the caller’s account' })
  @ApiNoContentResponse({
    description: 'Account erased (see the README data-erasure policy); sessions and sockets ended',
  })
  @ApiErrors({ not_allowed: 'password is wrong' })
  async erase(@CurrentUser() principal: Principal, @Body() dto: PasswordConfirmationDto): Promise<void> {
    await this.auth.confirmPassword(principal.id, dto.password, 'password is wrong');
    await this.eraser.erase(principal.id);
  }

  @Get('export')
  @ApiOperation({ summary: 'Export everything stored about the caller' })
  @ApiProduces('application/json')
  @ApiOkResponse({
    description:
      'Everything stored about the caller, as one JSON object: exported_at, profile, consultations, messages, ' +
      'notifications, read_markers, sessions, readings, notification_preferences, push_subscriptions (streamed)',
    schema: { type: 'object' },
  })
  async export(@CurrentUser() principal: Principal): Promise<StreamableFile> {
    const chunks = await this.exporter.open(principal.id);
    // One chunk (a page of rows) buffered ahead: the next page is read once the socket has taken this one.
    return new StreamableFile(Readable.from(chunks, { highWaterMark: 1 }), {
      type: 'application/json; charset=utf-8',
    }).setErrorHandler((error, response) => {
      // A database failure between pages: the 200 and part of the document are out, so a cut
      // connection is the only way left to say "incomplete" (never a well-formed truncation).
      this.logger.error(`account export failed: ${error.message}`);
      response.destroy?.(error);
    });
  }
}
