import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/** What a handler declares it reads: a whole body/query (a DTO the pipes check), or some named fields. */
export interface DeclaredInput {
  body: true | Set<string>;
  query: true | Set<string>;
}

/**
 * Refuses body and query fields a route declares no use for, as the global ValidationPipe
 * does for routes with a DTO (`property x should not exist`): without this, a route that
 * takes no body (`POST /api/notifications/read-all`, `…/logout-all`, the admin actions) or
 * no query silently ignored whatever it was sent. A whole `@Body()`/`@Query()` is left to
 * the pipes; `@Body('x')`/`@Query('x')` declare those fields only. Handlers that take the raw
 * request or response (`@Req()`, `@Res()`) read what they like and are left alone.
 */
@Injectable()
export class UndeclaredInputInterceptor implements NestInterceptor {
  private readonly declared = new WeakMap<object, DeclaredInput | null>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const declared = this.declaredBy(context);
    if (declared) {
      const request = context.switchToHttp().getRequest<Request>();
      const undeclared = [
        ...undeclaredFields(request.body as unknown, declared.body),
        ...undeclaredFields(request.query as unknown, declared.query),
      ];
      if (undeclared.length > 0)
        throw new BadRequestException(undeclared.map((key) => `property ${key} should not exist`));
    }
    return next.handle();
  }

  private declaredBy(context: ExecutionContext): DeclaredInput | null {
    const handler = context.getHandler();
    let declared = this.declared.get(handler);
    if (declared === undefined) {
      declared = declaredInputOf(context.getClass(), handler);
      this.declared.set(handler, declared);
    }
    return declared;
  }
}

/**
 * What a handler of `controller` declares it reads, from its parameter decorators; null when it
 * takes the raw request or response, which this interceptor leaves alone. The OpenAPI document
 * asks it too: a route this interceptor checks can answer 400.
 */
export function declaredInputOf(controller: object, handler: { name: string }): DeclaredInput | null {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<
    string,
    { data?: unknown }
  >;
  const declared: DeclaredInput = { body: new Set(), query: new Set() };
  for (const [key, { data }] of Object.entries(args)) {
    const type = Number(key.split(':')[0]);
    if (type === RouteParamtypes.REQUEST || type === RouteParamtypes.RESPONSE) return null;
    const side = type === RouteParamtypes.BODY ? 'body' : type === RouteParamtypes.QUERY ? 'query' : undefined;
    if (!side) continue;
    const fields = declared[side];
    if (typeof data === 'string' && fields !== true) fields.add(data);
    else declared[side] = true;
  }
  return declared;
}

function undeclaredFields(input: unknown, declared: true | Set<string>): string[] {
  if (declared === true || input === null || typeof input !== 'object') return [];
  return Object.keys(input).filter((key) => !declared.has(key));
}
