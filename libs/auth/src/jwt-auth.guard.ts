import {
  CanActivate,
  ExecutionContext,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedRequest, IS_PUBLIC } from '@numerai/common';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { Authenticator, extractToken } from './authenticator';
import { InvalidTokenError } from './token.service';

/** Global guard: every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly logger: ContextLogger;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('JwtAuthGuard');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { headers: Record<string, string> }>();
    try {
      // Query tokens are for WebSocket upgrades only; REST takes the header.
      request.principal = await this.authenticator.authenticate(extractToken(request.headers.authorization, undefined));
      return true;
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthorizedException('Missing, invalid or expired token');
      // Not the token's fault (the database did not answer): a 401 would make clients throw a good token away.
      this.logger.error(error instanceof Error ? error : String(error));
      throw new ServiceUnavailableException('Authentication is unavailable right now; retry shortly');
    }
  }
}
