import { Body, Controller, HttpCode, Post, SetMetadata } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, Public } from '@numerai/common';
import { AUTH_ATTEMPT_ROUTES } from '@numerai/rate-limit';
import { AuthResultView } from './auth-result.view';
import { AuthService, AuthResult } from './auth.service';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { RefreshDto } from './dto/session.dto';

const BLOCKED = 'The account is blocked';

@ApiTags('auth')
@Public()
@SetMetadata(AUTH_ATTEMPT_ROUTES, true)
@ApiErrors({
  rate_limited:
    'More than AUTH_RATE_LIMIT_PER_MINUTE logins/registrations (RATE_LIMIT_PER_MINUTE refreshes) from this IP',
  // Public, so the pipeline's 503 (the session check) is not added: these read the database themselves.
  unavailable: 'The database is unavailable right now; retry shortly',
})
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiOperation({ summary: 'Create an account (user or numerologist) and log in' })
  @ApiCreatedResponse({ type: AuthResultView })
  @ApiErrors({ conflict: 'The email is already registered' })
  register(@Body() dto: RegisterDto): Promise<AuthResult> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password' })
  @ApiOkResponse({ type: AuthResultView })
  @ApiErrors({ unauthenticated: 'Wrong email or password (the same answer for both)', not_allowed: BLOCKED })
  login(@Body() dto: LoginDto): Promise<AuthResult> {
    return this.auth.login(dto);
  }

  @Post('refresh')
  // Not a login attempt: it spends the per-address request budget (RATE_LIMIT_PER_MINUTE) instead.
  @SetMetadata(AUTH_ATTEMPT_ROUTES, false)
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade a refresh token for a new token pair' })
  @ApiOkResponse({ type: AuthResultView, description: 'a new pair; the refresh_token sent is spent' })
  @ApiErrors({
    unauthenticated: 'Unknown, expired or spent refresh token (a spent one ends its session)',
    not_allowed: BLOCKED,
  })
  refresh(@Body() dto: RefreshDto): Promise<AuthResult> {
    return this.auth.refresh(dto.refresh_token);
  }
}
