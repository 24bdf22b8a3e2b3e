import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startTestServer, TestServer } from '../support/server';

/**
 * GET /api/docs-json is the whole REST contract: it lints clean with Redocly's recommended rules
 * (the repository's redocly.yaml, as `npm run lint:openapi` runs them), it is the document
 * `npm run openapi` writes, and every route the app serves is in it with a summary, a success
 * answer and its errors, so a route added without documentation fails here.
 */

const ROOT = join(__dirname, '..', '..');
const PATH = [join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(delimiter);

/** Served routes that are not the REST API, each with why it is left out of the document. */
const NOT_REST = new Map([
  ['GET /api/docs', 'Swagger UI, the page over this document'],
  ['GET /api/docs-json', 'this document'],
  ['GET /api/docs-yaml', 'this document, as YAML'],
  ['GET /api/asyncapi', 'the WebSocket API: its own AsyncAPI document (test/contract/asyncapi.e2e-spec.ts)'],
  ['GET /api/asyncapi.json', 'the same'],
  ['GET /api/asyncapi/renderer.js', 'the same'],
  ['GET /api/asyncapi/renderer.css', 'the same'],
  ['GET /metrics', 'Prometheus text for scrapers, with its own token (README "Metrics")'],
]);
/** Swagger UI's files (its init script, index.html, licence) under the page's path. */
const SWAGGER_UI_FILES = 'GET /api/docs/';

const isRest = (route: string) => !NOT_REST.has(route) && !route.startsWith(SWAGGER_UI_FILES);

interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

/** `GET /api/consultations/{id}` → its operation. */
function operations(document: Document): Map<string, Operation> {
  const all = new Map<string, Operation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) all.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return all;
}

/** Every route Express serves, as `GET /api/consultations/{id}` (its `:id` in OpenAPI's spelling). */
function servedRoutes(server: TestServer): string[] {
  const express = server.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return express.router.stack.flatMap(({ route }) =>
    route
      ? Object.keys(route.methods).map(
          (method) => `${method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')}`,
        )
      : [],
  );
}

/** What is missing from the documentation of each route (none when it is complete). */
function undocumented(routes: string[], document: Document): string[] {
  const documented = operations(document);
  const problems: string[] = [];
  for (const route of routes.filter(isRest)) {
    const operation = documented.get(route);
    if (!operation) {
      problems.push(`${route}: not in the document`);
      continue;
    }
    const statuses = Object.keys(operation.responses);
    if (!operation.summary) problems.push(`${route}: no summary`);
    if (!statuses.some((status) => /^2/.test(status))) problems.push(`${route}: no success answer`);
    for (const status of statuses.filter((status) => /^2/.test(status) && status !== '204')) {
      const content = Object.values(operation.responses[status].content ?? {});
      if (!content.some(({ schema }) => schema)) problems.push(`${route}: ${status} without a schema`);
    }
    if (!statuses.some((status) => /^4/.test(status))) problems.push(`${route}: no 4xx`);
    if (operation.security === undefined) problems.push(`${route}: says nothing of authentication`);
    if (operation.security?.length && !statuses.includes('401')) problems.push(`${route}: needs a token but no 401`);
  }
  return problems;
}

/** Runs `redocly lint` on `document` with the repository's redocly.yaml; its JSON report. */
function redoclyLint(document: unknown): { totals: { errors: number; warnings: number }; problems: unknown[] } {
  const dir = mkdtempSync(join(tmpdir(), 'numerai-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const run = spawnSync('redocly', ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, PATH },
    });
    if (run.error) throw run.error;
    return JSON.parse(run.stdout) as ReturnType<typeof redoclyLint>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('OpenAPI document', () => {
  let server: TestServer;
  let document: Document;

  beforeAll(async () => {
    server = await startTestServer();
    const response = await fetch(`${server.httpUrl}/api/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });
  afterAll(() => server?.close());

  it("has no error or warning under Redocly's recommended rules", () => {
    const report = redoclyLint(document);

    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('fails the lint when an operation loses its summary', () => {
    const broken = structuredClone(document);
    delete broken.paths['/api/consultations'].post.summary;

    expect(redoclyLint(broken).totals.errors).toBe(1);
  });

  it('documents every route the app serves, with a summary, a typed success answer and its errors', () => {
    const routes = servedRoutes(server);

    expect(routes).toContain('GET /api/consultations/{id}');
    expect(undocumented(routes, document)).toEqual([]);
    // Every documented operation is a served route (nothing stale left in the document).
    expect([...operations(document).keys()].filter((operation) => !routes.includes(operation))).toEqual([]);
  });

  it('names the route whose documentation is incomplete', () => {
    const broken = structuredClone(document);
    delete broken.paths['/api/readings/today'].get.summary;
    delete broken.paths['/api/blocks/{user_id}'];
    delete broken.paths['/api/presence'].get.responses['200'].content;

    expect(undocumented(servedRoutes(server), broken).sort()).toEqual([
      'DELETE /api/blocks/{user_id}: not in the document',
      'GET /api/presence: 200 without a schema',
      'GET /api/readings/today: no summary',
    ]);
  });

  it('marks public routes public and answers 401 without a token everywhere else, as documented', async () => {
    const publicRoutes: string[] = [];
    for (const [route, operation] of operations(document)) {
      if (operation.security?.length === 0) {
        publicRoutes.push(route);
        continue;
      }
      const [method, path] = route.split(' ');
      const url = `${server.httpUrl}${path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000')}`;
      const response = await fetch(url, { method });
      expect(`${route} → ${response.status}`).toBe(`${route} → 401`);
    }
    expect(publicRoutes.sort()).toEqual([
      'GET /api/push/vapid-public-key',
      'GET /health',
      'POST /api/auth/login',
      'POST /api/auth/refresh',
      'POST /api/auth/register',
      'POST /api/payments/webhook',
    ]);
  });

  it('answers every error with the ErrorBody schema', () => {
    for (const [route, operation] of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]/.test(status) || route === 'GET /health') continue;
        expect(`${route} ${status}: ${JSON.stringify(response.content?.['application/json']?.schema)}`).toBe(
          `${route} ${status}: {"$ref":"#/components/schemas/ErrorBody"}`,
        );
      }
    }
  });

  // dist/apps/api/src/openapi.js: `npm test` builds first (`npm run build` before running this suite alone).
  it('is the document `npm run openapi` writes, without a server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'numerai-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'apps', 'api', 'src', 'openapi.js'), file], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(document);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
