/** Rows a sweep reads per query. */
export const SWEEP_PAGE = 500;

/**
 * Walks a table in id order, a bounded page at a time (a sweep never loads all rows at
 * once, however many users or consultations there are).
 */
export async function forEachPage<T extends { id: string }>(
  fetch: (afterId: string | undefined, limit: number) => Promise<T[]>,
  handle: (page: T[]) => Promise<void>,
): Promise<void> {
  let afterId: string | undefined;
  for (;;) {
    const page = await fetch(afterId, SWEEP_PAGE);
    if (page.length === 0) return;
    await handle(page);
    if (page.length < SWEEP_PAGE) return;
    afterId = page[page.length - 1].id;
  }
}
