import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ContextLogger, LoggerFactory } from '@numerai/logging';
import { pageSecurityHeaders } from '../http/page-security';

/** Where the demo page is served. */
export const DEMO_PREFIX = '/demo';

/**
 * The demo page's Content-Security-Policy: Vite's build is one module script, one stylesheet
 * and a favicon, all from here, and no inline script or style (React's style props go through
 * the CSSOM, which style-src does not block). The page calls this API over fetch and its
 * WebSockets ('self' covers ws:/wss: of this host) and registers its push service worker.
 */
const DEMO_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
];

/**
 * The built demo page (`npm run build:demo` → apps/api/public/demo), looked up from this
 * file when run from source (tests) and from dist/ when run from the build.
 */
export function findDemoDirectory(): string | undefined {
  const candidates = [
    resolve(__dirname, '..', '..', 'public', 'demo'), // apps/api/src/demo → apps/api/public/demo
    resolve(__dirname, '..', '..', '..', '..', '..', 'apps', 'api', 'public', 'demo'), // dist/apps/api/src/demo
    resolve(process.cwd(), 'apps', 'api', 'public', 'demo'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Serves the demo page (apps/demo, built with Vite) at GET /demo with Express' static file
 * server. Plain middleware, so the global auth guard does not apply: the page signs in
 * through the REST API like any other client.
 */
@Module({})
export class DemoModule implements OnModuleInit {
  private readonly logger: ContextLogger;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    loggers: LoggerFactory,
  ) {
    this.logger = loggers.forContext('DemoModule');
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as unknown as ExpressAdapter;
    if (adapter?.getType?.() !== 'express') return;
    adapter.use(DEMO_PREFIX, pageSecurityHeaders(DEMO_PAGE_CSP));
    const directory = findDemoDirectory();
    if (!directory) {
      adapter.use(
        DEMO_PREFIX,
        (_req: unknown, res: { status(code: number): { type(t: string): { send(body: string): void } } }) =>
          res.status(503).type('text/plain').send('The demo page is not built yet: run `npm run build:demo`.\n'),
      );
      this.logger.warn(`demo page not built; ${DEMO_PREFIX} answers 503 until \`npm run build:demo\` runs`);
      return;
    }
    adapter.useStaticAssets(directory, {
      prefix: DEMO_PREFIX,
      index: 'index.html',
      // Vite fingerprints everything under assets/; the page itself must always be fresh.
      setHeaders: (res: { setHeader(name: string, value: string): void }, path: string) =>
        res.setHeader(
          'cache-control',
          path.includes(`${join('demo', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ),
    });
  }
}
