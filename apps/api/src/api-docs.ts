import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { createOpenApiDocument } from './openapi-document';
import { pageSecurityHeaders } from './http/page-security';

/** Swagger UI's page and its files; the OpenAPI JSON is at API_DOCS_JSON. */
export const API_DOCS_PATH = '/api/docs';
export const API_DOCS_JSON = '/api/docs-json';

/**
 * Swagger UI's Content-Security-Policy. @nestjs/swagger's page loads three scripts from this
 * server (the bundle, the preset and swagger-ui-init.js, which carries the document) and no
 * inline script, so scripts are 'self' only. Its HTML has two inline <style> blocks and a style
 * attribute, whose text comes from the package and changes with it: inline styles are allowed
 * (styles cannot run code). The icons are data: SVGs in the stylesheet, the favicons files of
 * ours; "Try it out" calls this API. The online validator's badge (an image from swagger.io) is off.
 */
const API_DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** Serves the OpenAPI document of every controller and Swagger UI over it, under its own CSP. */
export function setupApiDocs(app: INestApplication): void {
  const document = createOpenApiDocument(app);
  app.use(API_DOCS_PATH, pageSecurityHeaders(API_DOCS_CSP));
  SwaggerModule.setup(API_DOCS_PATH.slice(1), app, document, {
    jsonDocumentUrl: API_DOCS_JSON.slice(1),
    swaggerOptions: { validatorUrl: null },
  });
}
