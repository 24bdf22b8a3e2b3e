import { Body, Controller, HttpCode, Post, SetMetadata } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Public } from '@numerai/common';
import { AUTH_ATTEMPT_ROUTES } from '@numerai/rate-limit';
import { AuthService, AuthResult } from './auth.service';
import { LoginDto, RegisterDto } from './dto/register.dto';

@ApiTags('auth')
@Public()
@SetMetadata(AUTH_ATTEMPT_ROUTES, true)
@ApiTooManyRequestsResponse({ description: 'More than AUTH_RATE_LIMIT_PER_MINUTE attempts from this IP' })
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiCreatedResponse({ description: '{access_token, token_type, expires_in, user}' })
  register(@Body() dto: RegisterDto): Promise<AuthResult> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ description: '{access_token, token_type, expires_in, user}' })
  login(@Body() dto: LoginDto): Promise<AuthResult> {
    return this.auth.login(dto);
  }
}
