import { Parser } from '@asyncapi/parser';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startTestServer, TestServer } from '../support/server';

/**
 * GET /api/asyncapi.json is a valid AsyncAPI document (the reference parser finds nothing to
 * report), every example frame of the published document validates against its message schema,
 * and GET /api/asyncapi serves the page that renders it with the maintained renderer, whose files
 * come from this server (that it renders: test/browser/asyncapi.e2e-spec.ts).
 */

type Validator = ((data: unknown) => boolean) & { errors?: unknown };
/** The JSON Schema validator the AsyncAPI parser itself uses (ajv 8). Formats are not checked: the published examples say "uuid" for ids. */
const Ajv = createRequire(require.resolve('@asyncapi/parser'))('ajv').default as new (options: object) => {
  compile(schema: object): Validator;
};

interface Example {
  endpoint: string;
  direction: 'client' | 'server';
  frame: { type: string };
}

/** The JSON examples of docs/websocket-api.md, with the endpoint section and direction they are listed under. */
function publishedExamples(): Example[] {
  const text = readFileSync(join(__dirname, '..', '..', 'docs', 'websocket-api.md'), 'utf8');
  const examples: Example[] = [];
  let endpoint = '';
  let direction: Example['direction'] | undefined;
  for (const part of text.split(/```json\n([\s\S]*?)```/)) {
    if (part.trimStart().startsWith('{')) {
      if (endpoint && direction) examples.push({ endpoint, direction, frame: JSON.parse(part) as { type: string } });
      continue;
    }
    for (const line of part.split('\n')) {
      const url = /^\*\*URL\*\*: `\/ws\/(\w+)\//.exec(line);
      if (url) [endpoint, direction] = [url[1], undefined];
      if (line.startsWith('**Messages Sent**')) direction = 'client';
      if (line.startsWith('**Messages Received**')) direction = 'server';
      if (line.startsWith('## ')) [endpoint, direction] = ['', undefined];
    }
  }
  return examples;
}

describe('AsyncAPI document', () => {
  let server: TestServer;
  let document: {
    asyncapi: string;
    channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
    operations: Record<string, unknown>;
    components: { messages: Record<string, { name: string; payload: object }> };
  };

  beforeAll(async () => {
    server = await startTestServer();
    const response = await fetch(`${server.httpUrl}/api/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    document = (await response.json()) as typeof document;
  });
  afterAll(() => server?.close());

  it('is AsyncAPI 3 and the reference parser reports no error or warning', async () => {
    expect(document.asyncapi).toMatch(/^3\./);
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    const problems = diagnostics
      .filter((diagnostic) => diagnostic.severity <= 1)
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(problems).toEqual([]);
    expect(parsed).toBeDefined();
    expect(
      parsed!
        .channels()
        .all()
        .map((channel) => channel.address()),
    ).toEqual(['/ws/chat/{consultation_id}/', '/ws/notifications/', '/ws/presence/', '/ws/availability/']);
    const security = parsed!
      .servers()
      .all()[0]
      .security()
      .flatMap((requirement) => requirement.all());
    expect(security.map((requirement) => requirement.scheme().type())).toEqual(['httpApiKey', 'http']);
  });

  it("every example frame of docs/websocket-api.md validates against its endpoint's message schema", () => {
    const examples = publishedExamples();
    // 3 chat frames sent, 4 received; 1 + 3 for notifications; 1 + 3 for presence; 2 + 3 for availability.
    expect(examples).toHaveLength(20);
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    for (const { endpoint, direction, frame } of examples) {
      const channel = document.channels[endpoint];
      expect(channel).toBeDefined();
      const key = `${direction}_${frame.type}`;
      expect({ endpoint, declared: Object.keys(channel.messages).includes(key) }).toEqual({ endpoint, declared: true });
      const validate = ajv.compile(document.components.messages[key].payload);
      expect({ frame, valid: validate(frame), errors: validate.errors ?? null }).toEqual({
        frame,
        valid: true,
        errors: null,
      });
    }
  });

  it('an example that breaks the contract does not validate (the check can fail)', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const validate = ajv.compile(document.components.messages.client_typing.payload);
    expect(validate({ type: 'typing', is_typing: 'yes' })).toBe(false);
    expect(validate({ type: 'typing' })).toBe(false);
  });

  it('GET /api/asyncapi is a page that loads the renderer from this server, under its own CSP', async () => {
    for (const path of ['/api/asyncapi', '/api/asyncapi/']) {
      const response = await fetch(`${server.httpUrl}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain('<script src="/api/asyncapi/renderer.js"></script>');
      expect(html).toContain('<link rel="stylesheet" href="/api/asyncapi/renderer.css">');
      expect(html).toContain('"url":"/api/asyncapi.json"');
      // Nothing from a CDN: the page must work with no internet.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/https?:/);
      // The inline call is allowed by its hash: a change to it that forgot the CSP would leave the page blank.
      const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
      expect(inline).toContain('AsyncApiStandalone.render(');
      expect(csp).toContain(`'sha256-${createHash('sha256').update(inline).digest('base64')}'`);
    }
  });

  it.each([
    ['renderer.js', '@asyncapi/react-component/browser/standalone/index.js', /^text\/javascript/],
    ['renderer.css', '@asyncapi/react-component/styles/default.min.css', /^text\/css/],
  ])("GET /api/asyncapi/%s is the renderer package's %s, revalidated by ETag", async (name, file, type) => {
    const url = `${server.httpUrl}/api/asyncapi/${name}`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(require.resolve(file)))).toBe(true);
    const etag = response.headers.get('etag');
    expect(etag).toBeTruthy();
    // fetch adds `cache-control: no-cache` (an end-to-end reload) to a conditional request unless told otherwise.
    const revalidation = await fetch(url, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
    expect(revalidation.status).toBe(304);
  });

  it("the served bundle's parser knows AsyncAPI 3.1.0, the version of our document", async () => {
    // The standalone bundle carries its own copy of the parser and its spec schemas; a bundle whose
    // parser predates 3.1.0 would show "Error" instead of the document (test/browser/asyncapi.e2e-spec.ts).
    const bundle = await (await fetch(`${server.httpUrl}/api/asyncapi/renderer.js`)).text();
    expect(bundle).toContain('AsyncApiStandalone');
    expect(bundle).toContain(`"title":"AsyncAPI ${document.asyncapi} schema."`);
  });

  it('/api/docs links to it', async () => {
    const swagger = (await (await fetch(`${server.httpUrl}/api/docs-json`)).json()) as {
      info: { description: string };
    };
    expect(swagger.info.description).toContain('/api/asyncapi');
  });
});
