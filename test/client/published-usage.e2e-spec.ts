/**
 * The "Frontend Usage" section of the published document, as written
 * (test/client/published-usage/*.tsx), type-checked against our packages and run: the
 * client example in Node (its `@/lib/websocket` is `createClient({ baseUrl, WebSocket })`, since Node has no page origin
 * and no global WebSocket), the React example rendered inside a NumerAIProvider. Against the
 * protocol stub always, against the real server once the gateways are wired.
 */
import './support/dom';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement, type ComponentType } from 'react';
import * as jsxRuntime from 'react/jsx-runtime';
import ts from 'typescript';
import WebSocket from 'ws';
import * as client from '../../libs/client/src';
import * as hooks from '../../libs/react/src';
import { Backend, startRealBackend, startStubBackend } from './support/backends';
import { gatewaysWired } from './support/gateways';
import { nodeFetch } from './support/node-fetch';

const dir = join(__dirname, 'published-usage');

/** Compiles one example file and evaluates it with the document's import paths mapped to our packages. */
function runExample(
  file: string,
  scope: Record<string, unknown> = {},
  websocket: unknown = client,
): Record<string, unknown> {
  const source = readFileSync(join(dir, file), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      jsx: ts.JsxEmit.ReactJSX,
      esModuleInterop: true,
    },
  });
  const modules: Record<string, unknown> = {
    '@/lib/websocket': websocket,
    '@/hooks/use-chat-websocket': hooks,
    'react/jsx-runtime': jsxRuntime,
  };
  const requireModule = (id: string) => {
    if (!(id in modules)) throw new Error(`the example imports ${id}, which the test does not provide`);
    return modules[id];
  };
  const module = { exports: {} as Record<string, unknown> };
  const run = new Function('require', 'module', 'exports', ...Object.keys(scope), outputText) as (
    ...args: unknown[]
  ) => void;
  run(requireModule, module, module.exports, ...Object.values(scope));
  return module.exports;
}

describe('the published Frontend Usage', () => {
  it('type-checks as written against libs/client and libs/react', () => {
    const configPath = join(dir, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
    expect(error).toBeUndefined();
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  });
});

const backends: Array<[string, () => Promise<Backend>, boolean]> = [
  ['protocol stub', startStubBackend, true],
  ['real server', startRealBackend, gatewaysWired()],
];

for (const [name, start, enabled] of backends) {
  (enabled ? describe : describe.skip)(`the published Frontend Usage runs against the ${name}`, () => {
    let backend: Backend;

    // A backend per test, so the React example's history does not depend on whether the client
    // example ran first.
    beforeEach(async () => {
      backend = await start();
    });

    afterEach(async () => {
      cleanup();
      await backend?.close();
    });

    it('runs the client example: connects, logs, sends Hello! and receives it back', async () => {
      const logs: unknown[][] = [];
      const fakeConsole = { log: (...args: unknown[]) => logs.push(args) };
      // Node has neither a page origin nor (in v20) a global WebSocket: the app's module fills them in.
      const { ws } = runExample(
        'client-usage.tsx',
        { consultationId: backend.consultationId, token: backend.client.token, console: fakeConsole },
        client.createClient({ baseUrl: backend.wsUrl, WebSocket }),
      ) as { ws: client.ChatWebSocket };
      try {
        await waitFor(() => expect(logs.some((line) => line[0] === 'New message:')).toBe(true), { timeout: 5000 });
        expect(logs[0]).toEqual(['Connected to chat']);
        const received = logs.find((line) => line[0] === 'New message:');
        expect(received?.[1]).toMatchObject({
          type: 'chat_message',
          data: { content: 'Hello!', sender_id: backend.client.id, message_type: 'text' },
        });
      } finally {
        ws.close();
      }
    });

    it('renders the React example inside a NumerAIProvider and sends from its button', async () => {
      const { ChatComponent } = runExample('react-usage.tsx') as {
        ChatComponent: ComponentType<{ consultationId: string }>;
      };
      render(
        createElement(
          hooks.NumerAIProvider,
          { baseUrl: backend.httpUrl, token: backend.numerologist.token, WebSocket, fetch: nodeFetch },
          createElement(ChatComponent, { consultationId: backend.consultationId }),
        ),
      );
      expect(screen.getByText('Disconnected')).toBeTruthy();
      await screen.findByText('Connected', undefined, { timeout: 5000 });
      expect(screen.queryAllByText('Hello!')).toHaveLength(0);
      fireEvent.click(screen.getByText('Send'));
      await waitFor(() => expect(screen.getAllByText('Hello!')).toHaveLength(1), { timeout: 5000 });
    });
  });
}
