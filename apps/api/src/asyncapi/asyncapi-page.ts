/**
 * GET /api/asyncapi: the AsyncAPI document for people, rendered by the maintained AsyncAPI
 * renderer (@asyncapi/react-component's standalone bundle: React, the AsyncAPI parser and the
 * component in one script). The bundle and its stylesheet are served by this server from
 * node_modules, so the page needs no CDN and works offline, from source and from dist/ alike.
 */
import { createHash } from 'node:crypto';

/** Where the page and the renderer's files are served (absolute, so /api/asyncapi/ works too). */
export const ASYNCAPI_ROUTES = {
  page: '/api/asyncapi',
  document: '/api/asyncapi.json',
  script: '/api/asyncapi/renderer.js',
  styles: '/api/asyncapi/renderer.css',
} as const;

/** The renderer's files inside its package (a runtime dependency: see package.json). */
export const RENDERER_FILES = {
  script: '@asyncapi/react-component/browser/standalone/index.js',
  styles: '@asyncapi/react-component/styles/default.min.css',
} as const;

export type RendererFile = keyof typeof RENDERER_FILES;

/**
 * The files' absolute paths, resolved once at start-up: a missing package fails the start with
 * the package's name rather than the page with a 404.
 */
export function resolveRendererFiles(): Record<RendererFile, string> {
  return {
    script: require.resolve(RENDERER_FILES.script),
    styles: require.resolve(RENDERER_FILES.styles),
  };
}

/**
 * The renderer's configuration: the sidebar lists every operation, so the three endpoints' frames
 * can be found at a glance. The document is fetched by the renderer itself (parseFromUrl).
 */
const RENDER_OPTIONS = {
  schema: { url: ASYNCAPI_ROUTES.document, options: { method: 'GET' } },
  config: { show: { sidebar: true } },
};

/** The one inline script: it hands the renderer its options and the element to render into. */
const RENDER_SCRIPT = `AsyncApiStandalone.render(${JSON.stringify(RENDER_OPTIONS)}, document.getElementById('asyncapi'));`;

/**
 * The page's Content-Security-Policy. The app sets no global CSP (bootstrap.ts uses no helmet), so
 * this is the page's own, scoped to this route: everything from this origin, nothing from a CDN,
 * which keeps the page offline-proof. It allows what the renderer needs and no more:
 * - script-src: our bundle, and the inline call pinned by its hash; 'unsafe-eval' because the
 *   bundled AsyncAPI parser validates the document with ajv, which compiles schemas with
 *   `new Function` (without it the page stays blank);
 * - img-src data:: the empty favicon, so the browser does not ask for a /favicon.ico that 404s.
 * React's style props go through the CSSOM, which style-src 'self' does not block.
 */
export const ASYNCAPI_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'self' 'unsafe-eval' 'sha256-${createHash('sha256').update(RENDER_SCRIPT).digest('base64')}'`,
  "style-src 'self'",
  'img-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const ASYNCAPI_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NumerAI real-time API (AsyncAPI)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASYNCAPI_ROUTES.styles}">
</head>
<body>
<div id="asyncapi"></div>
<script src="${ASYNCAPI_ROUTES.script}"></script>
<script>${RENDER_SCRIPT}</script>
</body>
</html>
`;
