import { Parser } from '@asyncapi/parser';
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startTestServer, TestServer } from '../support/server';
import { waitFor } from '../support/wait-for';

/**
 * GET /api/asyncapi.json is a valid AsyncAPI document (the reference parser finds nothing to
 * report), every example frame of the published document validates against its message schema,
 * and GET /api/asyncapi renders it.
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
    ).toEqual(['/ws/chat/{consultation_id}/', '/ws/notifications/', '/ws/presence/']);
    const security = parsed!
      .servers()
      .all()[0]
      .security()
      .flatMap((requirement) => requirement.all());
    expect(security.map((requirement) => requirement.scheme().type())).toEqual(['httpApiKey', 'http']);
  });

  it("every example frame of docs/websocket-api.md validates against its endpoint's message schema", () => {
    const examples = publishedExamples();
    // 3 chat frames sent, 3 received; 1 + 3 for notifications; 2 for presence.
    expect(examples).toHaveLength(12);
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

  it('GET /api/asyncapi renders the document for people', async () => {
    const response = await fetch(`${server.httpUrl}/api/asyncapi`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const base = `${server.httpUrl}/api/asyncapi`;
    const dom = new JSDOM(await response.text(), {
      url: base,
      runScripts: 'dangerously',
      beforeParse(window) {
        // jsdom has no fetch; the page's relative URL resolves against the page as in a browser.
        (window as unknown as { fetch: typeof fetch }).fetch = (url) => fetch(new URL(String(url), base));
      },
    });
    const text = () => dom.window.document.body.textContent ?? '';
    await waitFor('the page rendered the document', () => text().includes('/ws/presence/'));
    for (const needle of ['/ws/chat/{consultation_id}/', '/ws/notifications/', 'mark_all_read', 'replay_complete']) {
      expect(text()).toContain(needle);
    }
    // One heading per operation: every frame of every endpoint is shown.
    expect(dom.window.document.querySelectorAll('h3')).toHaveLength(Object.keys(document.operations).length);
    dom.window.close();
  });

  it('/api/docs links to it', async () => {
    const swagger = (await (await fetch(`${server.httpUrl}/api/docs-json`)).json()) as {
      info: { description: string };
    };
    expect(swagger.info.description).toContain('/api/asyncapi');
  });
});
