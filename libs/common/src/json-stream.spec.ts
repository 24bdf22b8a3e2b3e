import { jsonArray, jsonObject, keysetPages } from './json-stream';

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let all = '';
  for await (const chunk of chunks) all += chunk;
  return all;
}

describe('json-stream', () => {
  const rows = Array.from({ length: 23 }, (_, i) => ({ id: i, text: `row "${i}" ✨\n`, gone: undefined }));
  const pagesOf = (size: number) =>
    keysetPages<(typeof rows)[number]>(size, async (after, take) =>
      rows.filter((row) => row.id > (after?.id ?? -1)).slice(0, take),
    );

  it.each([1, 5, 23, 100])('writes exactly what JSON.stringify writes, in pages of %i', async (size) => {
    const document = jsonObject([
      ['a', 1],
      ['rows', jsonArray(pagesOf(size), (row) => ({ ...row, twice: row.id * 2 }))],
      [
        'none',
        jsonArray(
          keysetPages(size, async () => []),
          String,
        ),
      ],
      ['later', async () => ({ nested: [null, 'x'] })],
    ]);
    expect(await text(document)).toBe(
      JSON.stringify({
        a: 1,
        rows: rows.map((row) => ({ ...row, twice: row.id * 2 })),
        none: [],
        later: { nested: [null, 'x'] },
      }),
    );
  });

  it('reads the next page only when the consumer asks for it', async () => {
    let fetched = 0;
    const pages = keysetPages<number>(2, async (after, take) => {
      fetched++;
      return [1, 2, 3, 4, 5].filter((n) => n > (after ?? 0)).slice(0, take);
    });
    const chunks = jsonArray(pages, (n) => n);
    expect(fetched).toBe(0);
    expect((await chunks.next()).value).toBe('[1,2');
    expect(fetched).toBe(1);
    expect(await text(chunks)).toBe(',3,4,5]');
    expect(fetched).toBe(3);
  });
});
