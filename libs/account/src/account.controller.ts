import { Body, Controller, Delete, Get, HttpCode, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { AuthService, PasswordConfirmationDto } from '@numerai/auth';
import { CurrentUser, Principal } from '@numerai/common';
import { AUTH_ATTEMPT_ROUTES } from '@numerai/rate-limit';
import { AccountEraser } from './account-eraser';
import { AccountExport, AccountExporter } from './account-exporter';

/** The caller's own account as a whole: erase it, or take a copy of everything stored about it. */
@ApiTags('users')
@ApiBearerAuth()
// Password checks are credential guessing with a stolen access token: they spend the
// AUTH_RATE_LIMIT_PER_MINUTE budget (per user here), not the large per-user request budget.
@SetMetadata(AUTH_ATTEMPT_ROUTES, true)
@ApiTooManyRequestsResponse({ description: 'More than AUTH_RATE_LIMIT_PER_MINUTE calls by this user' })
@Controller('api/users/me')
export class AccountController {
  constructor(
    private readonly auth: AuthService,
    private readonly eraser: AccountEraser,
    private readonly exporter: AccountExporter,
  ) {}

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({
    description: 'Account erased (see the README data-erasure policy); sessions and sockets ended',
  })
  @ApiForbiddenResponse({ description: 'password is wrong' })
  async erase(@CurrentUser() principal: Principal, @Body() dto: PasswordConfirmationDto): Promise<void> {
    await this.auth.confirmPassword(principal.id, dto.password, 'password is wrong');
    await this.eraser.erase(principal.id);
  }

  @Get('export')
  @ApiOkResponse({ description: 'Everything stored about the caller, as JSON' })
  export(@CurrentUser() principal: Principal): Promise<AccountExport> {
    return this.exporter.export(principal.id);
  }
}
