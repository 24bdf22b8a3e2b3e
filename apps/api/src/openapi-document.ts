import { HttpStatus, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, type OperationObject, SwaggerModule } from '@nestjs/swagger';
// Not re-exported by the package's index; the key SkipThrottle() writes, as the guard reads it.
import { THROTTLER_SKIP } from '@nestjs/throttler/dist/throttler.constants';
import { type ApiErrorCases, ErrorBody, errorResponse, errorResponses, IS_PUBLIC } from '@numerai/common';
import { AUTH_ATTEMPTS, USER_BUDGET } from '@numerai/rate-limit';
import { declaredInputOf } from './http/undeclared-input.interceptor';

/** The bearer scheme every non-public operation requires (the global JwtAuthGuard). */
const BEARER = 'bearer';

/**
 * Errors the app's global pipeline answers on any route it applies to, so no route lists them:
 * the JSON body parser (400, 413) on every route; the pipes and the undeclared-input interceptor
 * (400) where the route takes input; the JwtAuthGuard (401, and 503 when the session check
 * cannot be made) unless the route is public; the throttler (429) unless it skips every budget.
 */
const PIPELINE_ERRORS = {
  body: 'The body is not well-formed JSON, or nests deeper than HTTP_MAX_JSON_DEPTH',
  input:
    'the input fails validation, or has a field or query parameter the route does not declare; the message names each',
  tooLarge: 'The body is larger than HTTP_BODY_LIMIT_BYTES (BROADCAST_BODY_LIMIT_BYTES on the broadcast)',
  unauthenticated: 'No bearer token, or one that is malformed, expired or of a session that ended',
  rate_limited: "The caller's request budget is spent (RATE_LIMIT_PER_MINUTE); Retry-After says when to come back",
  unavailable: 'The database (or the session check) is unavailable right now; retry after Retry-After',
};

/** What the global pipeline does to one handler, read from the same metadata the guards read. */
interface RouteFacts {
  isPublic: boolean;
  throttled: boolean;
  checksInput: boolean;
}

/**
 * The OpenAPI document of every controller, complete: each operation says whether it needs the
 * bearer token (`security: []` when public) and every error the pipeline can answer on it, on
 * top of the domain errors its `@ApiErrors` lists. Built without listening (`npm run openapi`
 * writes it to a file), and served at /api/docs-json.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('NumerAI API')
      .setDescription(
        'REST API of the NumerAI real-time backend. The WebSocket endpoints: [AsyncAPI document](/api/asyncapi) ([JSON](/api/asyncapi.json)).',
      )
      .setVersion('1.0')
      // package.json's licence, UNLICENSED: no rights granted (npm's definition of the term is the link).
      .setLicense('UNLICENSED', 'https://docs.npmjs.com/cli/configuring-npm/package-json#license')
      // Relative: the server that serves this document (any host, port or proxy prefix it is reached by).
      .addServer('/', 'The server this document is served by')
      .addBearerAuth(undefined, BEARER)
      .build(),
    { extraModels: [ErrorBody] },
  );
  const facts = routeFacts(app);
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (typeof operation !== 'object' || !operation?.operationId) continue;
      const route = facts.get(operation.operationId);
      if (!route) throw new Error(`OpenAPI operation ${operation.operationId} has no controller method`);
      completeOperation(operation, route);
    }
  }
  return document;
}

function completeOperation(operation: OperationObject, route: RouteFacts): void {
  operation.security = route.isPublic ? [] : [{ [BEARER]: [] }];
  const takesInput = route.checksInput || Boolean(operation.parameters?.length) || Boolean(operation.requestBody);
  const cases: ApiErrorCases = {
    invalid: takesInput ? `${PIPELINE_ERRORS.body}; or ${PIPELINE_ERRORS.input}` : PIPELINE_ERRORS.body,
  };
  if (!route.isPublic) cases.unauthenticated = PIPELINE_ERRORS.unauthenticated;
  if (route.throttled) cases.rate_limited = PIPELINE_ERRORS.rate_limited;
  if (!route.isPublic) cases.unavailable = PIPELINE_ERRORS.unavailable;
  const responses = errorResponses(cases);
  responses.set(HttpStatus.PAYLOAD_TOO_LARGE, errorResponse(PIPELINE_ERRORS.tooLarge, HttpStatus.PAYLOAD_TOO_LARGE));
  for (const [status, response] of responses) {
    const own = operation.responses[status] as { description?: string } | undefined;
    // A route's own case of the same status (a 400 naming its field, a 429 naming its budget)
    // comes first; the pipeline's can happen there too.
    operation.responses[status] = own?.description
      ? { ...own, description: `${own.description}. Also: ${response.description}` }
      : response;
  }
}

/** Every controller method's RouteFacts, by the operationId @nestjs/swagger gives it (`Controller_method`). */
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const reflector = new Reflector();
  const facts = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (!metatype) continue;
      const controller = metatype as Type;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const targets = [handler, controller];
        facts.set(`${controller.name}_${name}`, {
          isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
          throttled: [USER_BUDGET, AUTH_ATTEMPTS].some(
            (throttler) => reflector.getAllAndOverride<boolean>(THROTTLER_SKIP + throttler, targets) !== true,
          ),
          checksInput: declaredInputOf(controller, handler) !== null,
        });
      }
    }
  }
  return facts;
}
