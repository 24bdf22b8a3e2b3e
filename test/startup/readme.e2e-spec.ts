import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * What a new user reads first must be true and self-contained: the README and the contract
 * documents live in this repository and link only inside it, and the by-hand examples are
 * the forms that work (checked by hand against a running server; see README).
 */
const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const README = read('README.md');
/** Spelled out in pieces so this file does not match itself. */
const OUTSIDE = ['..', 'shared', ''].join('/');

/** The body of the README section under `heading` (up to the next heading of any level). */
function section(heading: string): string {
  const start = README.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const rest = README.slice(start + heading.length);
  const next = rest.search(/\n#{1,6} [A-Za-z]|\n\*\*[A-Z][^*]+\*\*/);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('README and docs/', () => {
  it('nothing in the repository points outside it (at the shared design folder)', () => {
    const sources = ['README.md', 'jest.config.js', 'docs', 'libs', 'apps', 'test', 'bench', '.ci'].flatMap((path) =>
      statSync(join(ROOT, path)).isDirectory()
        ? readdirSync(join(ROOT, path), { recursive: true, encoding: 'utf8' }).map((file) => join(path, file))
        : [path],
    );
    const outside = sources.filter(
      (file) =>
        !/(^|\/)(node_modules|dist|public)\//.test(file) &&
        statSync(join(ROOT, file)).isFile() &&
        read(file).includes(OUTSIDE),
    );
    expect(outside).toEqual([]);
  });

  it('every relative link in README.md and docs/ leads to a file of the repository', () => {
    const documents = [
      'README.md',
      'libs/client/README.md',
      ...['README', 'protocol', 'rest'].map((d) => `docs/${d}.md`),
    ];
    const broken: string[] = [];
    for (const document of documents) {
      for (const [, target] of read(document).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(ROOT, dirname(document), target))) broken.push(`${document} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
    expect(README).toContain('](docs/websocket-api.md)');
    expect(README).toContain('](docs/protocol.md)');
  });

  it('the README sections jest.config.js sends readers to exist', () => {
    const [, pointer] = /README\.md \(([^)]+)\)/.exec(read('jest.config.js')) ?? [];
    const headings = [...(pointer ?? '').matchAll(/"([^"]+)"/g)].map(([, heading]) => heading);
    expect(headings.length).toBeGreaterThan(0);
    for (const heading of headings) expect(README.split('\n')).toContainEqual(expect.stringMatching(`^#+ ${heading}$`));
  });

  it('the two commands say how to choose the port', () => {
    expect(section('## The two commands')).toMatch(/PORT=\d+ npm start/);
  });

  it('every wscat example runs without a prompt, and one form works without a terminal', () => {
    expect(README).not.toMatch(/npx wscat/);
    expect(README).toMatch(/sleep \d+ \| npx -y wscat -c "ws:[^"]+" \\\n\s+-x '\{[^']+\}' -w \d/);
  });

  it('the read receipt is sent by the side that received the message', () => {
    const example = section('**Try all three by hand**');
    const clientSocket = example.indexOf('token=<client token>');
    const numerologistSocket = example.indexOf('/ws/chat/<consultation_id>/?token=<numerologist token>');
    const chatMessage = example.indexOf('{"type":"chat_message"');
    const receipt = example.indexOf('{"type":"read_receipt"');
    expect(clientSocket).toBeGreaterThanOrEqual(0);
    // The client sends the message on its socket; the receipt is typed on the numerologist's.
    expect(chatMessage).toBeGreaterThan(clientSocket);
    expect(chatMessage).toBeLessThan(numerologistSocket);
    expect(receipt).toBeGreaterThan(numerologistSocket);
  });

  it('the configuration table lists every variable the configuration reads', () => {
    const config = read('libs/config/src/config.ts');
    const names = new Set([...config.matchAll(/(?:env\.|int\(')([A-Z][A-Z0-9_]+)/g)].map(([, name]) => name));
    const table = section('## Configuration');
    expect([...names].filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});
