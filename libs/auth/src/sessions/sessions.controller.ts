import { Body, Controller, HttpCode, Post, SetMetadata } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, Principal } from '@numerai/common';
import { AUTH_ATTEMPT_ROUTES } from '@numerai/rate-limit';
import { AuthService } from '../auth.service';
import { ChangePasswordDto, LogoutDto } from '../dto/session.dto';

/** What an authenticated caller does with their own sessions. */
@ApiTags('auth')
// Password checks are credential guessing with a stolen access token: they spend the
// AUTH_RATE_LIMIT_PER_MINUTE budget (per user here), not the large per-user request budget.
@SetMetadata(AUTH_ATTEMPT_ROUTES, true)
@ApiErrors({ rate_limited: 'More than AUTH_RATE_LIMIT_PER_MINUTE calls by this user' })
@Controller('api/auth')
export class SessionsController {
  constructor(private readonly auth: AuthService) {}

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End this session' })
  @ApiNoContentResponse({ description: 'This session ended: its tokens stop working, its sockets close with 4401' })
  logout(@CurrentUser() principal: Principal, @Body() dto: LogoutDto): Promise<void> {
    return this.auth.logout(principal, dto.refresh_token);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiOperation({ summary: 'End every session of the caller' })
  @ApiNoContentResponse({ description: 'Every session of the caller ended' })
  logoutAll(@CurrentUser() principal: Principal): Promise<void> {
    return this.auth.logoutAll(principal);
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change the password' })
  @ApiNoContentResponse({ description: 'Password changed; every other session ended' })
  @ApiErrors({ not_allowed: 'current_password is wrong' })
  changePassword(@CurrentUser() principal: Principal, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(principal, dto);
  }
}
