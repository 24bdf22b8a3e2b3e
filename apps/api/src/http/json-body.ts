import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, raw } from 'body-parser';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '@numerai/config';
import { jsonNestingExceeds } from '@numerai/common';
import { PAYMENTS_WEBHOOK_PATH } from '@numerai/wallet';

/** The one route whose body may be large: a broadcast to 10,000 user ids is ~400 kB of JSON. */
export const BROADCAST_PATH = '/api/admin/notifications/broadcast';

/**
 * JSON bodies: at most BROADCAST_BODY_LIMIT_BYTES on the broadcast route and
 * HTTP_BODY_LIMIT_BYTES everywhere else (413 beyond, before the rest is read), and nested
 * at most HTTP_MAX_JSON_DEPTH deep (400 after a byte scan, before JSON.parse, so deep
 * nesting never reaches the parser, the ValidationPipe or class-transformer's recursion).
 * The broadcast parser runs first; a body it has parsed is skipped by the general one.
 * (Form bodies get the same size limit; nothing here takes them.)
 */
export function useJsonBodyParsers(app: NestExpressApplication, limits: AppConfig['http']): void {
  const verify = (_request: IncomingMessage, _response: ServerResponse, body: Buffer) => {
    if (jsonNestingExceeds(body, limits.maxJsonDepth)) {
      throw Object.assign(new Error(`body must not nest arrays/objects deeper than ${limits.maxJsonDepth} levels`), {
        status: 400,
        type: 'entity.too.deep',
      });
    }
  };
  app.use(BROADCAST_PATH, json({ limit: limits.broadcastBodyLimitBytes, verify }));
  // The payment webhook's signature covers the exact bytes sent: that route keeps them (a Buffer),
  // whatever the content type, and the JSON parser below skips a body already read.
  app.use(PAYMENTS_WEBHOOK_PATH, raw({ type: () => true, limit: limits.bodyLimitBytes }));
  // Nest sees a `jsonParser` in place and adds no default one of its own.
  app.use(json({ limit: limits.bodyLimitBytes, verify }));
  app.useBodyParser('urlencoded', { limit: limits.bodyLimitBytes, extended: false });
}
