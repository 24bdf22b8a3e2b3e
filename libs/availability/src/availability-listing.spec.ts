import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@numerai/config';
import { captureLogs } from '@numerai/logging';
import type { AvailabilityStatus } from '@numerai/protocol';
import { type AvailabilityChange, AvailabilityListing } from './availability-listing';
import type { AvailabilityRepository, AvailableRow, ListingState } from './availability.repository';

/** The rows the listing reads, in memory: `listed` is the database's rule (available with a rate). */
class Rows {
  readonly rows = new Map<string, { status: AvailabilityStatus; rateMinor: number; name: string }>();

  set(id: string, status: AvailabilityStatus, rateMinor = 100): void {
    this.rows.set(id, { status, rateMinor, name: `N ${id}` });
  }

  private listedRow(id: string): AvailableRow | null {
    const row = this.rows.get(id);
    return row?.status === 'available' ? { userId: id, fullName: row.name, rateMinor: row.rateMinor } : null;
  }

  async availablePage(after: string | undefined, limit: number): Promise<AvailableRow[]> {
    return [...this.rows.keys()]
      .sort()
      .filter((id) => (!after || id > after) && this.listedRow(id))
      .slice(0, limit + 1)
      .map((id) => this.listedRow(id)!);
  }

  async states(ids: string[]): Promise<ListingState[]> {
    return ids.map((id) => ({
      userId: id,
      status: this.rows.get(id)?.status ?? 'offline',
      listed: this.listedRow(id),
    }));
  }
}

/**
 * The listing's own rules, on rows in memory (the e2e suites run it on both databases): a
 * page covers every change applied before it, a reload tells only what differs, and nobody who
 * was never listed is ever mentioned.
 */
describe('AvailabilityListing', () => {
  let dataDir: string;
  let rows: Rows;
  let listing: AvailabilityListing;
  let changes: AvailabilityChange[];
  const page = () =>
    new Promise<string[]>((resolve) => void listing.page(undefined, (items) => resolve(items.map((i) => i.user_id))));
  /** Everything queued so far has run (the queue is one chain: a page after it runs last). */
  const settled = () => page();
  /**
   * The first page, then what it announced forgotten: a load tells every join, which only sockets
   * still waiting for that very page can hear, and they drop it (the page has them).
   */
  const firstPage = async () => {
    const ids = await page();
    changes.length = 0;
    return ids;
  };

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'numerai-listing-'));
    rows = new Rows();
    listing = new AvailabilityListing(
      rows as unknown as AvailabilityRepository,
      loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(32) }),
      captureLogs().loggers,
    );
    changes = [];
    listing.onChange((change) => changes.push(change));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loads on the first page, then applies touched rows: joins, rate changes and leaves, in order', async () => {
    rows.set('a', 'available');
    rows.set('b', 'offline');
    expect(await firstPage()).toEqual(['a']);
    rows.set('b', 'available', 250);
    listing.touched('b');
    rows.set('a', 'busy');
    listing.touched('a');
    await settled();
    expect(changes.map((c) => [c.user_id, c.status, c.rate_minor])).toEqual([
      ['b', 'available', 250],
      ['a', 'busy', 100],
    ]);
    expect(await page()).toEqual(['b']);
  });

  it('never mentions a numerologist it never listed, whatever their row does', async () => {
    await firstPage();
    rows.set('shy', 'busy');
    listing.touched('shy');
    rows.set('shy', 'offline', 300);
    listing.touched('shy');
    await settled();
    expect(changes).toEqual([]);
  });

  it('a reload (events may have been lost) tells exactly what differs from its copy', async () => {
    rows.set('a', 'available');
    rows.set('b', 'available');
    await firstPage();
    // Changes whose events never arrived:
    rows.set('a', 'offline');
    rows.set('c', 'available', 120);
    rows.set('b', 'available', 999);
    listing.reload();
    await settled();
    expect(changes.map((c) => [c.user_id, c.status, c.rate_minor]).sort()).toEqual([
      ['a', 'offline', 100],
      ['b', 'available', 999],
      ['c', 'available', 120],
    ]);
    changes.length = 0;
    listing.reload();
    await settled();
    expect(changes).toEqual([]);
  });

  it('hears nothing while nobody reads it, and starts over from the database when read again', async () => {
    rows.set('a', 'available');
    await firstPage();
    listing.forget();
    rows.set('a', 'offline');
    listing.touched('a');
    rows.set('b', 'available');
    // Loaded afresh: b joins (for the sockets waiting for this page); nothing about a, whom the new copy never listed.
    expect(await page()).toEqual(['b']);
    expect(changes.map((c) => [c.user_id, c.status])).toEqual([['b', 'available']]);
  });
});
