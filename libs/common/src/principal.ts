import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from './user-role';

/** Who a verified token says the caller is. Attached to REST requests and WebSocket connections alike. */
export interface Principal {
  id: string;
  name: string;
  role: UserRole;
  /** Token expiry, epoch seconds. */
  exp: number;
  /** The session the token belongs to; revoking it ends the token at once (REST and sockets). */
  sid: string;
}

export interface AuthenticatedRequest {
  principal?: Principal;
}

export const IS_PUBLIC = 'numerai:isPublic';

/** Marks a route that needs no token (login, register, health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The authenticated caller of a REST handler (the global auth guard guarantees one). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentUser used on a route without authentication');
  return request.principal;
});
