import { Body, Controller, HttpCode, Post, SetMetadata } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '@numerai/common';
import { AUTH_ATTEMPT_ROUTES } from '@numerai/rate-limit';
import { AuthService, AuthResult } from './auth.service';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { RefreshDto } from './dto/session.dto';

const AUTH_RESULT = '{access_token, token_type, expires_in, refresh_token, user}';

@ApiTags('auth')
@Public()
@SetMetadata(AUTH_ATTEMPT_ROUTES, true)
@ApiTooManyRequestsResponse({
  description:
    'More than AUTH_RATE_LIMIT_PER_MINUTE logins/registrations (RATE_LIMIT_PER_MINUTE refreshes) from this IP',
})
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiCreatedResponse({ description: AUTH_RESULT })
  register(@Body() dto: RegisterDto): Promise<AuthResult> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ description: AUTH_RESULT })
  @ApiForbiddenResponse({ description: 'The account is blocked' })
  login(@Body() dto: LoginDto): Promise<AuthResult> {
    return this.auth.login(dto);
  }

  @Post('refresh')
  // Not a login attempt: it spends the per-address request budget (RATE_LIMIT_PER_MINUTE) instead.
  @SetMetadata(AUTH_ATTEMPT_ROUTES, false)
  @HttpCode(200)
  @ApiOkResponse({ description: `${AUTH_RESULT} with a new refresh_token; the one sent is spent` })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired or spent refresh token (a spent one ends its session)' })
  @ApiForbiddenResponse({ description: 'The account is blocked' })
  refresh(@Body() dto: RefreshDto): Promise<AuthResult> {
    return this.auth.refresh(dto.refresh_token);
  }
}
