import { jsonNestingExceeds } from './json-limits';

const bytes = (text: string) => Buffer.from(text);

describe('jsonNestingExceeds', () => {
  it('counts arrays and objects alike, up to the bound inclusive', () => {
    expect(jsonNestingExceeds(bytes('[{"a":[1]}]'), 3)).toBe(false);
    expect(jsonNestingExceeds(bytes('[{"a":[[1]]}]'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestingExceeds(bytes(`{"a":"${'['.repeat(100)}"}`), 1)).toBe(false);
    expect(jsonNestingExceeds(bytes(`{"a":"\\"${'{'.repeat(100)}"}`), 1)).toBe(false);
  });

  it('siblings do not add up', () => {
    expect(jsonNestingExceeds(bytes('[[1],[2],[3],[4]]'), 2)).toBe(false);
  });

  it('800 KB of nesting is refused by a scan of its first bytes', () => {
    expect(jsonNestingExceeds(bytes('['.repeat(400_000) + ']'.repeat(400_000)), 32)).toBe(true);
  });
});
