/**
 * A DOM for React Testing Library inside Jest's plain Node environment. Import it FIRST in a
 * suite (react-dom decides at load time whether a DOM exists). Jest's jsdom environment is
 * not used because it replaces Node's globals (TextEncoder, fetch, …) that the in-process
 * NumerAI server needs; here jsdom only adds what Node lacks.
 */
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
  url: 'http://localhost/',
});

// Node's own networking stays in charge: the SDK gets `ws` and the provider gets fetch explicitly.
const KEEP_NODE = new Set(['WebSocket', 'location', 'fetch', 'Request', 'Response', 'Headers']);
// Storage proxies recurse forever when Jest walks the globals at teardown; nothing here needs them.
const SKIP = new Set(['localStorage', 'sessionStorage']);
const target = globalThis as unknown as Record<string, unknown>;
const source = dom.window as unknown as Record<string, unknown>;
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (KEEP_NODE.has(key) || SKIP.has(key) || key.startsWith('_') || key in globalThis) continue;
  target[key] = source[key];
}
target.window = dom.window;
target.document = dom.window.document;
target.navigator = dom.window.navigator;
// Tells React that updates are wrapped in act() by Testing Library.
target.IS_REACT_ACT_ENVIRONMENT = true;

// jsdom keeps timers of its own; the suite's worker only exits once the window is closed.
afterAll(() => dom.window.close());

export const domWindow = dom.window;
