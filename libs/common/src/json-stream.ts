/**
 * JSON written as it is produced, for documents too large to build in memory: the text is
 * exactly what JSON.stringify would give for the whole value.
 */

/** A member of `jsonObject`: plain JSON, a producer of it (awaited in turn), or JSON text already in chunks. */
export type JsonMember = readonly [name: string, value: unknown];

/** `{"name":value,…}` in chunks, members in order; a producer runs only when its member is reached. */
export async function* jsonObject(members: readonly JsonMember[]): AsyncGenerator<string> {
  let separator = '{';
  for (const [name, value] of members) {
    const head = `${separator}${JSON.stringify(name)}:`;
    separator = ',';
    if (isChunks(value)) {
      yield head;
      yield* value;
    } else {
      yield head + JSON.stringify(typeof value === 'function' ? await (value as () => Promise<unknown>)() : value);
    }
  }
  yield separator === '{' ? '{}' : '}';
}

/** `[view(row),…]` in chunks, one chunk per page of rows. */
export async function* jsonArray<T>(pages: AsyncIterable<T[]>, view: (row: T) => unknown): AsyncGenerator<string> {
  let separator = '[';
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield separator + page.map((row) => JSON.stringify(view(row))).join(',');
    separator = ',';
  }
  yield separator === '[' ? '[]' : ']';
}

/**
 * Keyset paging: `fetch(after, size)` answers the rows after `after` (the previous page's last,
 * undefined at first) in the order that defines "after". The next page is read only when the
 * consumer asks for it.
 */
export async function* keysetPages<T>(
  size: number,
  fetch: (after: T | undefined, size: number) => Promise<T[]>,
): AsyncGenerator<T[]> {
  let after: T | undefined;
  for (;;) {
    const page = await fetch(after, size);
    if (page.length > 0) yield page;
    if (page.length < size) return;
    after = page[page.length - 1];
  }
}

function isChunks(value: unknown): value is AsyncIterable<string> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
